"""OCR benchmark: exact-match rate per field and latency, rapidocr (taimen's reader) against Tesseract.

    python3 benchmarks/ocr/bench.py [--n 320] [--dir artifacts/ocr-bench] [--engine rapidocr|tesseract|both]

The set is generated once (see dataset.py) and reused. Both engines get the same photos and the same card
locator and layout crops; only the line recogniser differs (Tesseract: Debian tesseract-ocr + jpn through
pytesseract, one process per crop, psm 7). Latency is wall time per photo, JPEG bytes in, proposals out,
measured in this process after one warm-up photo; the machine's load average is printed alongside because
other work on the same two cores inflates it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

from dataset import Sample, generate, norm  # noqa: E402

from taimen.ocr.engine import Engine, Line  # noqa: E402
from taimen.ocr.proposals import CONFIDENT  # noqa: E402
from taimen.ocr.reader import read_photo  # noqa: E402

UNLOCK_FIELDS = {"security_code", "unlock.kenmen_b", "unlock.card_number", "card_number", "expiry", "birth_date"}
TARGETS = {"unlock": 0.99, "names_addresses": 0.97, "median_ms": 300.0}


class TesseractLines:
    """The ``recognize`` interface of taimen.ocr.engine.Engine, backed by the tesseract CLI."""

    WHITELIST: ClassVar[dict[str, str]] = {
        "digits": "0123456789",
        "card_number": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    }

    def recognize(self, crops: list, charsets: list | None = None) -> list[Line]:
        import cv2
        import pytesseract

        out = []
        for crop, cs in zip(crops, charsets or [None] * len(crops), strict=True):
            cfg = "--psm 7"
            if cs in self.WHITELIST:
                cfg += f" -c tessedit_char_whitelist={self.WHITELIST[cs]}"
            lang = "eng" if cs in ("digits", "card_number", "latin") else "jpn"
            rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
            text = pytesseract.image_to_string(rgb, lang=lang, config=cfg).strip()
            out.append(Line(text, 1.0 if text else 0.0, ()))
        return out

    def read_page(self, img):  # the page fallback is rapidocr-only
        return []


def run(engine_name: str, samples: list[Sample]) -> dict:
    ocr = Engine() if engine_name == "rapidocr" else TesseractLines()
    if isinstance(ocr, Engine):
        ocr.warm_up()
    read_photo(samples[0].path.read_bytes(), samples[0].document, ocr=ocr)  # warm-up photo, not counted
    hits: dict[str, list[bool]] = defaultdict(list)
    confident_wrong: dict[str, int] = defaultdict(int)
    latency: list[float] = []
    per_doc_latency: dict[str, list[float]] = defaultdict(list)
    not_found = 0
    failures: list[str] = []
    for s in samples:
        data = s.path.read_bytes()
        t = time.perf_counter()
        res = read_photo(data, s.document, ocr=ocr)
        dt = time.perf_counter() - t
        latency.append(dt)
        per_doc_latency[s.document].append(dt)
        not_found += not res.card_found
        for key, want in s.truth.items():
            if key.startswith("unlock."):
                u = res.unlock.get(key[7:])
                got, conf = (u.value, u.confidence) if u else (None, 0.0)
            else:
                f = res.fields.get(key)
                got, conf = (f.value, f.confidence) if f else (None, 0.0)
            ok = norm(got) == norm(want)
            hits[f"{s.document}.{key}"].append(ok)
            if not ok:
                confident_wrong[f"{s.document}.{key}"] += conf >= CONFIDENT and got is not None
                if len(failures) < 40:
                    failures.append(f"{s.id} {s.document}.{key}: want {want!r} got {got!r} ({conf:.2f})")
    return {
        "hits": hits,
        "confident_wrong": confident_wrong,
        "latency": latency,
        "per_doc_latency": per_doc_latency,
        "not_found": not_found,
        "failures": failures,
    }


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def report(name: str, r: dict, n: int) -> None:
    print(f"\n== {name}: {n} photos (card outline not found: {r['not_found']})")
    print(f"{'field':34s} {'exact':>8s} {'n':>5s} {'confident+wrong':>16s}")
    for key in sorted(r["hits"]):
        h = r["hits"][key]
        print(f"{key:34s} {100 * sum(h) / len(h):7.1f}% {len(h):5d} {r['confident_wrong'][key]:16d}")
    groups = {
        "unlock values (照合番号B, card number)": [
            k for k in r["hits"] if k.split(".", 1)[1] in ("unlock.kenmen_b", "unlock.card_number")
        ],
        "names and addresses": [k for k in r["hits"] if k.endswith(".name") or k.endswith(".address")],
    }
    for label, keys in groups.items():
        h = [x for k in keys for x in r["hits"][k]]
        print(f"{label:40s} {100 * sum(h) / len(h):6.2f}% of {len(h)}")
    lat = [x * 1000 for x in r["latency"]]
    print(
        f"latency per photo: median {statistics.median(lat):.0f} ms, p95 {pct(lat, 0.95):.0f} ms, max {max(lat):.0f} ms"
    )
    for doc, xs in sorted(r["per_doc_latency"].items()):
        ms = [x * 1000 for x in xs]
        print(f"  {doc:10s} median {statistics.median(ms):.0f} ms, p95 {pct(ms, 0.95):.0f} ms")
    if r["failures"]:
        print("first misses:")
        for line in r["failures"][:20]:
            print("  " + line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=320)
    ap.add_argument("--dir", type=Path, default=HERE.parents[1] / "artifacts" / "ocr-bench")
    ap.add_argument("--engine", choices=("rapidocr", "tesseract", "both"), default="both")
    ap.add_argument("--limit", type=int, default=0, help="only the first N photos (quick look)")
    args = ap.parse_args()
    t = time.perf_counter()
    samples = generate(args.dir, args.n)
    if args.limit:
        samples = samples[: args.limit]
    print(f"benchmark set: {len(samples)} photos in {args.dir} ({time.perf_counter() - t:.0f} s to prepare)")
    print(f"cpus: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    engines = ("rapidocr", "tesseract") if args.engine == "both" else (args.engine,)
    for name in engines:
        r = run(name, samples)
        report(name, r, len(samples))
        print(f"load average after {name}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

from dataset import Sample, generate, norm  # noqa: E402

from taimen.ocr.engine import Engine  # noqa: E402
from taimen.ocr.reader import read_photo  # noqa: E402

UNLOCK_FIELDS = {"security_code", "unlock.kenmen_b", "unlock.card_number", "card_number", "expiry", "birth_date"}
TARGETS = {"unlock": 0.99, "names_addresses": 0.97, "median_ms": 300.0}


def run(engine_name: str, samples: list[Sample], threads: int = 0) -> dict:
    if engine_name == "rapidocr":
        ocr = Engine(threads=threads or None)
    else:
        from tesseract_lines import TesseractEngine

        ocr = TesseractEngine()
    ocr.warm_up()
    read_photo(samples[0].path.read_bytes(), samples[0].document, ocr=ocr)  # warm-up photo, not counted
    hits: dict[str, list[bool]] = defaultdict(list)
    confident_wrong: dict[str, int] = defaultdict(int)
    latency: list[float] = []
    cpu: list[float] = []
    stages: dict[str, list[float]] = defaultdict(list)
    per_doc_latency: dict[str, list[float]] = defaultdict(list)
    not_found = 0
    failures: list[str] = []
    for s in samples:
        data = s.path.read_bytes()
        t, c = time.perf_counter(), time.process_time()
        res = read_photo(data, s.document, ocr=ocr)
        dt = time.perf_counter() - t
        latency.append(dt)
        cpu.append(time.process_time() - c)
        for stage, v in res.timings.items():
            stages[stage].append(v)
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
            if not ok:  # a wrong value the operator could wave through: no doubt flag on it
                doubt = (key[7:] if key.startswith("unlock.") else key) in res.doubtful()
                confident_wrong[f"{s.document}.{key}"] += got is not None and not doubt
                if len(failures) < 40:
                    failures.append(f"{s.id} {s.document}.{key}: want {want!r} got {got!r} ({conf:.2f})")
    return {
        "hits": hits,
        "confident_wrong": confident_wrong,
        "latency": latency,
        "cpu": cpu,
        "stages": stages,
        "per_doc_latency": per_doc_latency,
        "not_found": not_found,
        "failures": failures,
    }


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def report(name: str, r: dict, n: int) -> None:
    print(f"\n== {name}: {n} photos (card outline not found: {r['not_found']})")
    print(f"{'field':34s} {'exact':>8s} {'n':>5s} {'wrong, no doubt':>16s}")
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
    cpu = [x * 1000 for x in r["cpu"]]
    print(f"CPU time per photo (all threads): median {statistics.median(cpu):.0f} ms, p95 {pct(cpu, 0.95):.0f} ms")
    print(
        "median per stage: "
        + ", ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in r["stages"].items() if k != "total")
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
    ap.add_argument("--threads", type=int, default=0, help="onnxruntime threads (default: its own choice)")
    args = ap.parse_args()
    t = time.perf_counter()
    samples = generate(args.dir, args.n)
    if args.limit:
        samples = samples[: args.limit]
    print(f"benchmark set: {len(samples)} photos in {args.dir} ({time.perf_counter() - t:.0f} s to prepare)")
    print(f"cpus: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    engines = ("rapidocr", "tesseract") if args.engine == "both" else (args.engine,)
    for name in engines:
        r = run(name, samples, args.threads)
        report(name, r, len(samples))
        print(f"load average after {name}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""MRZ benchmark on independently generated passport data-page photos (passport_photos.py).

    python3 benchmarks/ocr/passport_bench.py --split tune --n 60        # develop on the tuning split
    python3 benchmarks/ocr/passport_bench.py --split heldout --n 150    # report; never tune on it

Reported: the three key values (document number, birth date, expiry) all exact per photo; per-character
errors over line 2 and line 1; wrong key values proposed without a doubt flag ("silent wrong", must be 0);
doubt flags on right values; per bucket; latency.
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

from passport_photos import generate  # noqa: E402

from taimen.ocr.engine import engine  # noqa: E402
from taimen.ocr.mrz_photo import read_mrz_lines, read_mrz_photo  # noqa: E402
from taimen.ocr.photo import decode  # noqa: E402

KEYS = ("document_number", "birth", "expiry")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="tune", choices=("tune", "heldout"))
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    samples = generate(a.split, a.n)
    e = engine()
    e.warm_up()
    read_mrz_photo(samples[0][0].read_bytes(), ocr=e)  # warm-up, not counted
    exact = 0
    bucket: dict[str, list[bool]] = defaultdict(list)
    char_err = {1: 0, 2: 0}
    silent: list[str] = []
    doubt_right = doubt_total = not_found = chosen = 0
    lat = []
    for path, meta in samples:
        t = time.perf_counter()
        r, lines = read_mrz_lines(decode(path.read_bytes()), ocr=e)
        lat.append(time.perf_counter() - t)
        tr = meta["truth"]
        ok_all = True
        for k in KEYS:
            u = r.unlock[k]
            ok = u.value == tr[k]
            ok_all &= ok
            doubt_total += u.doubtful
            doubt_right += u.doubtful and ok
            chosen += "chosen_by_check_digit" in u.reasons
            if not ok and not u.doubtful:
                silent.append(f"{meta['id']} {k}")
        if lines is None:
            not_found += 1
            char_err[1] += 44
            char_err[2] += 44
        else:
            for n, (got, want) in enumerate(zip(lines, (tr["line1"], tr["line2"]), strict=True), 1):
                char_err[n] += sum(x != y for x, y in zip(got, want, strict=True))
        exact += ok_all
        bucket[meta["bucket"]].append(ok_all)
        if a.verbose and not ok_all:
            print(meta["id"], meta["bucket"], meta["difficulty"], meta["meta"], {k: r.unlock[k].reasons for k in KEYS})
            if lines:
                print("   want", tr["line2"], "\n   got ", lines[1])
    n = len(samples)
    print(f"split {a.split}, {n} photos (rapidocr PP-OCRv6 small, {os.environ.get('TAIMEN_OCR_THREADS', '1')} thread)")
    print(f"all three key values exact: {exact}/{n} = {100 * exact / n:.1f} %")
    for b in ("easy", "medium", "hard"):
        v = bucket.get(b, [])
        if v:
            print(f"  {b}: {sum(v)}/{len(v)} = {100 * sum(v) / len(v):.1f} %")
    print(f"MRZ not found: {not_found}")
    print(f"character errors: line 1 {char_err[1]} of {44 * n}, line 2 {char_err[2]} of {44 * n}")
    print(f"wrong key values without a doubt flag (silent wrong): {len(silent)} {silent}")
    print(f"doubt flags: {doubt_total} on {3 * n} key values, {doubt_right} of them on right values; "
          f"chosen by check digit: {chosen}")
    lat.sort()
    p95 = lat[int(0.95 * (n - 1))]
    print(f"latency per photo: median {1000 * statistics.median(lat):.0f} ms, p95 {1000 * p95:.0f} ms, "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

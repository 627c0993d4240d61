"""Benchmark: ``taimen ocr PHOTO --document … --json`` as a whole process (interpreter start, imports, model
loading, one read, output), against the issue-12 target of ≤ 1.5 s.

Each run is a fresh process executing what the installed ``taimen`` script runs, with this checkout's
``src`` first on the path. Photos are the first held-out photos of the independent generator (photos.py),
cycled over the runs. Prints min / median / p95 / max wall time, the median and p95 CPU time (user + system of
the child: on a shared machine it hardly depends on the load, the wall time does), the load average before
and after, and with ``--importtime`` the slowest imports of one extra run (``python -X importtime``,
cumulative microseconds). As in ``benchmarks/startup_bench.py``, the children share a private bytecode cache
(an installed taimen has its ``.pyc`` files) unless ``--no-bytecode-cache``. Exit status 1 if the wall-clock
median misses the target.

Run: ``python3 benchmarks/ocr/process_bench.py [--runs 10] [--photos 5] [--importtime 15]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from photos import generate  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from startup_bench import bytecode_env  # noqa: E402

SCRIPT = "import sys; from taimen.cli import main; sys.exit(main())"
TARGET_S = 1.5


def run_once(argv: list[str], env: dict[str, str], *, importtime: bool = False) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stderr) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    flags = ["-X", "importtime"] if importtime else []
    out = subprocess.run([sys.executable, *flags, "-c", SCRIPT, *argv], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 2):
        raise SystemExit(f"taimen ocr failed ({out.returncode}): {out.stderr[-600:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out.stderr


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def top_imports(stderr: str, n: int) -> list[tuple[int, str]]:
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = line[len("import time:") :].split("|")
            try:
                rows.append((int(parts[1]), parts[2].rstrip()))
            except ValueError:
                continue  # the header line
    return sorted(rows, reverse=True)[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--photos", type=int, default=5, help="first N held-out photos, cycled")
    ap.add_argument("--importtime", type=int, default=0, metavar="N", help="list the N slowest imports")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the taimen sources to measure (default: this checkout)")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="compile every module on every run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="taimen-ocr-process-") as tmp:
        env = bytecode_env({**os.environ, "PYTHONPATH": args.src, "LANG": "C.UTF-8"}, tmp, not args.no_bytecode_cache)
        return measure(args, env)


def measure(args: argparse.Namespace, env: dict[str, str]) -> int:
    samples = generate("heldout", args.photos)
    argvs = [["ocr", str(s.path), "--document", s.document, "--json"] for s in samples]
    for i in range(args.warmup):
        run_once(argvs[i % len(argvs)], env)
    load_before = os.getloadavg()
    measured = [run_once(argvs[i % len(argvs)], env)[:2] for i in range(args.runs)]
    load_after = os.getloadavg()
    wall = [w * 1000 for w, _ in measured]
    cpu = [c * 1000 for _, c in measured]
    med = statistics.median(wall)
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    print(f"taimen ocr PHOTO --json, {args.runs} runs over {len(argvs)} held-out photos")
    print(f"{os.cpu_count()} CPUs, {cache}")
    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' '.join(f'{x:.2f}' for x in load_after)}")  # fmt: skip
    print(f"wall ms: min {min(wall):.0f}  median {med:.0f}  p95 {pct(wall, 0.95):.0f}  max {max(wall):.0f}")
    print(f"CPU ms:  median {statistics.median(cpu):.0f}  p95 {pct(cpu, 0.95):.0f}")
    print(f"target: median wall ≤ {TARGET_S * 1000:.0f} ms: {'PASS' if med <= TARGET_S * 1000 else 'FAIL'}")
    if args.importtime:
        _, _, err = run_once(argvs[0], env, importtime=True)
        print(f"slowest imports (cumulative µs, one run with -X importtime, load {os.getloadavg()[0]:.2f}):")
        for us, name in top_imports(err, args.importtime):
            print(f"  {us:>9}  {name}")
    return 0 if med <= TARGET_S * 1000 else 1


if __name__ == "__main__":
    sys.exit(main())

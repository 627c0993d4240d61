"""Benchmark: whole-process wall time of taimen commands, hyperfine-style (N runs, median), against targets.

Each command is started as a fresh process running what the installed ``taimen`` script runs
(``from taimen.cli import main; sys.exit(main())``, with this checkout's ``src`` first on the path), so
interpreter start, imports, the read and the output are all counted. Card images are the synthetic
samples (``taimen samples``), read from files with ``--card-image``; the licence is read with both PINs, the
My Number Card with 照合番号B (券面AP, 入力補助AP, signatures and the chip-presence challenge).

Targets (issue 13): ``--version`` ≤ 80 ms, ``read license`` ≤ 150 ms, ``read mynumber`` ≤ 250 ms (medians).
Bytecode: an installed taimen has its modules compiled (pip writes the ``.pyc`` files at install time), so
each child process gets a bytecode cache of its own under a temporary ``PYTHONPYCACHEPREFIX``, filled by the
warm-up runs, whatever ``PYTHONDONTWRITEBYTECODE`` says in the calling shell (``--no-bytecode-cache``
measures the other case: every module compiled from source on every run, 0.1-0.2 s more per command).

Prints one row per command with min / median / mean / max wall time, the median CPU time (user + system,
which hardly depends on the machine's load) and PASS or FAIL on the wall-clock median, and the load average,
because the machine is shared: measure when the load is low. Exit status 1 if a target is missed.

``--instructions`` also runs each command once under valgrind's callgrind and prints the instructions it
executed (millions): a count that does not move with the machine's load, for comparing changes on a busy
machine (2026-12 licence read: 792 M before the light certificate reader, 653 M after, 543 M once the photo
was no longer decoded by the read; ``--version`` 152 M).

Run: ``python3 benchmarks/startup_bench.py [--runs 20] [--warmup 3] [--json] [--instructions]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
#: What the console script ``taimen`` (pyproject [project.scripts]) executes.
SCRIPT = "import sys; from taimen.cli import main; sys.exit(main())"


def commands(samples: Path) -> list[tuple[str, list[str], float]]:
    trust = ["--trust-dir", str(samples / "trust"), "--no-progress"]
    return [
        ("taimen --version", ["--version"], 0.080),
        (
            "taimen read license --card-image …",
            ["read", "license", "--card-image", str(samples / "license-yamada.json"), "--pin1", "1234", "--pin2",
             "5678", *trust],
            0.150,
        ),
        (
            "taimen read mynumber --card-image …",
            ["read", "mynumber", "--card-image", str(samples / "mynumber-yamada.json"), "--birth", "550217",
             "--expiry", "2035", "--code", "2285", *trust],
            0.250,
        ),
    ]  # fmt: skip


def bytecode_env(env: dict[str, str], tmp: str, cache: bool) -> dict[str, str]:
    """``env`` with a private bytecode cache under ``tmp`` (``cache``), or with bytecode never written."""
    env = dict(env)
    if cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"taimen {' '.join(argv[:2])} failed ({out.returncode}): {out.stderr.decode()[-400:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def instructions(argv: list[str], env: dict[str, str], tmp: str) -> float | None:
    """Millions of instructions one run executes (callgrind's Ir), or None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    out_file = Path(tmp) / "callgrind.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", sys.executable, "-c", SCRIPT, *argv],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    out_file.unlink(missing_ok=True)
    return round(int(found.group(1)) / 1e6, 1) if found and done.returncode == 0 else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--src", default=str(SRC), help="the taimen sources to measure (default: this checkout)")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="compile every module on every run")
    ap.add_argument("--instructions", action="store_true", help="also count instructions (valgrind callgrind)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="taimen-startup-") as tmp:
        env = bytecode_env({**os.environ, "PYTHONPATH": args.src, "LANG": "C.UTF-8"}, tmp, not args.no_bytecode_cache)
        samples = Path(tmp) / "samples"
        subprocess.run(
            [sys.executable, "-m", "taimen", "samples", str(samples)], env=env, check=True, stdout=subprocess.DEVNULL
        )
        load_before = os.getloadavg()
        for name, argv, target in commands(samples):
            for _ in range(args.warmup):
                run_once(argv, env)
            measured = [run_once(argv, env) for _ in range(args.runs)]
            times = [wall for wall, _ in measured]
            median = statistics.median(times)
            rows.append(
                {
                    "command": name,
                    "runs": args.runs,
                    "min_ms": round(min(times) * 1000, 1),
                    "median_ms": round(median * 1000, 1),
                    "mean_ms": round(statistics.fmean(times) * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                    # CPU time hardly depends on the load of a shared machine: a check on the wall-clock numbers.
                    "cpu_median_ms": round(statistics.median(cpu for _, cpu in measured) * 1000, 1),
                    "target_ms": round(target * 1000),
                    "pass": median <= target,
                    "instructions_m": instructions(argv, env, tmp) if args.instructions else None,
                }
            )
        load_after = os.getloadavg()
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    if args.json:
        doc = {"load_before": load_before, "load_after": load_after, "bytecode": cache, "rows": rows}
        print(json.dumps(doc, indent=1))
    else:
        print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
              f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")  # fmt: skip
        print(f"{os.cpu_count()} CPUs, {cache}")
        ins = "  instructions (M)" if args.instructions else ""
        print(f"{'command (ms)':<40}{'min':>8}{'median':>9}{'mean':>8}{'max':>8}{'CPU':>8}{'target':>9}  result{ins}")
        for r in rows:
            print(
                f"{r['command']:<40}{r['min_ms']:>8}{r['median_ms']:>9}{r['mean_ms']:>8}{r['max_ms']:>8}"
                f"{r['cpu_median_ms']:>8}{r['target_ms']:>9}  {'PASS' if r['pass'] else 'FAIL'}"
                + (f"{r['instructions_m']!s:>18}" if args.instructions else "")
            )
    return 0 if all(r["pass"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

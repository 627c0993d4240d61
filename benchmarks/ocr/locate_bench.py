"""The card locator alone on the photo benchmark (photos.py): how often no outline is found (the reader then
falls back to the whole photo), how far the located corners are from the true ones in millimetres on the
card, per difficulty bucket, and the locator's own time (wall and CPU) per photo. No OCR runs.

    python3 benchmarks/ocr/locate_bench.py --split tune --n 320       # develop on the tuning split
    python3 benchmarks/ocr/locate_bench.py --split heldout --n 320    # report; never tune on it

The true corners are not in the photo's metadata: they are recovered by running the generator once more for
that photo (deterministic in split and index) and keeping what its camera (``photos._quad``) returned; the
photo itself is not changed. They are cached beside the photos in ``<cache>/<split>-v<V>-quads/``.

Corner error: the located corners are mapped onto the card through the homography of the true corners
(card millimetres), and the distance from each card corner is measured there. The located outline's corner
order is matched to the true one up to a half turn (an upside-down card is the reader's business, not the
locator's). "worst" is the largest of the four corner errors of a photo.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

import photos  # noqa: E402
from photos import CARD_H, CARD_W, Sample, generate  # noqa: E402

from taimen.ocr import locate  # noqa: E402
from taimen.ocr.photo import decode  # noqa: E402

CARD_MM = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)


def true_quad(split: str, i: int, cache: Path = photos.CACHE) -> np.ndarray:
    """The card's true corners (tl, tr, br, bl of the card as printed) in the photo's pixels."""
    path = cache / f"{split}-v{photos.VERSION}-quads" / f"{i:04d}.json"
    if path.is_file():
        return np.array(json.loads(path.read_text()), np.float32)
    got: list[np.ndarray] = []
    original = photos._quad

    class Done(Exception):
        pass

    def spy(s: photos.Shot, rng: object) -> np.ndarray:
        got.append(original(s, rng).copy())
        raise Done  # the rest of the photo is not needed

    photos._quad = spy
    try:
        photos.make(split, i, photos.fonts())
    except Done:
        pass
    finally:
        photos._quad = original
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(got[0].tolist()))
    return got[0]


def corner_error_mm(found: np.ndarray, truth: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Per-corner distance in card millimetres between ``found`` (photo px of the decoded image) and the true
    corners ``truth`` (px of the original photo; ``scale`` = decoded / original)."""
    h = cv2.getPerspectiveTransform((truth * scale).astype(np.float32), CARD_MM)
    mapped = cv2.perspectiveTransform(found.reshape(-1, 1, 2).astype(np.float32), h).reshape(-1, 2)
    best = None
    for shift in (0, 2):  # the same outline read upside down
        err = np.linalg.norm(np.roll(mapped, -shift, axis=0) - CARD_MM, axis=1)
        if best is None or err.max() < best.max():
            best = err
    return best


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def run(samples: list[Sample], split: str, start: int, verbose: bool) -> dict:
    r: dict = {"worst": [], "by_bucket": defaultdict(list), "not_found": [], "wall": [], "cpu": [], "off": []}
    for k, s in enumerate(samples):
        i = start + k
        truth = true_quad(split, i)
        data = s.path.read_bytes()
        img = decode(data)
        with Image.open(s.path) as im:
            ow = im.size[0]
        scale = img.shape[1] / ow
        t, c = time.perf_counter(), time.process_time()
        try:
            quad = locate.find_card(img)
        except locate.CardNotFound:
            quad = None
        r["wall"].append(time.perf_counter() - t)
        r["cpu"].append(time.process_time() - c)
        if quad is None:
            r["not_found"].append(f"{s.id} [{s.bucket}] {','.join(s.difficulty)}")
            worst = float("inf")
        else:
            worst = float(corner_error_mm(quad.points, truth, scale).max())
        r["worst"].append(worst)
        r["by_bucket"][s.bucket].append(worst)
        r["by_bucket"][s.document].append(worst)
        if worst > 1.0:
            shot = json.loads(s.path.with_suffix(".json").read_text()).get("shot", {})
            r["off"].append(f"{s.id} [{s.bucket}] {','.join(s.difficulty)} worst {worst:.1f} mm "
                            f"({quad.method if quad else 'none'}) {shot.get('background')} {shot.get('clutter')}")
        if verbose:
            print(f"{s.id} {s.bucket:6s} worst {worst:7.2f} mm {1000 * r['wall'][-1]:5.0f} ms")
    return r


def dist(xs: list[float]) -> str:
    found = [x for x in xs if x != float("inf")]
    n = len(xs)
    if not found:
        return f"n={n} none found"
    return (
        f"n={n:3d} median {statistics.median(found):5.2f}  p90 {pct(found, 0.9):6.2f}  "
        f"≤0.5mm {sum(x <= 0.5 for x in xs) / n:6.1%}  ≤1mm {sum(x <= 1 for x in xs) / n:6.1%}  "
        f">3mm or none {sum(x > 3 for x in xs)}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("tune", "heldout", "dev"), default="tune")
    ap.add_argument("--n", type=int, default=320)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    samples = generate(args.split, args.start + args.n, start=args.start)
    print(f"{args.split}: {len(samples)} photos; cpus {os.cpu_count()}, load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    r = run(samples, args.split, args.start, args.verbose)
    print(f"no outline found (reader falls back to the whole photo): {len(r['not_found'])}")
    for line in r["not_found"]:
        print("  " + line)
    print("worst corner error per photo, mm on the card (none found counts as > 3 mm):")
    print(f"  {'all':10s} {dist(r['worst'])}")
    for b in ("easy", "medium", "hard", "mynumber", "license", "residence"):
        if r["by_bucket"][b]:
            print(f"  {b:10s} {dist(r['by_bucket'][b])}")
    wall, cpu = [x * 1000 for x in r["wall"]], [x * 1000 for x in r["cpu"]]
    print(f"locator time per photo: wall median {statistics.median(wall):.0f} ms, p95 {pct(wall, 0.95):.0f} ms; "
          f"CPU median {statistics.median(cpu):.0f} ms, p95 {pct(cpu, 0.95):.0f} ms")
    print(f"outlines more than 1 mm off: {len(r['off'])}")
    for line in r["off"][:60]:
        print("  " + line)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

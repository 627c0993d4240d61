"""Counter app timings: demo start-up, page renders, a full read over HTTP, capture normalisation.

Run: PYTHONPATH=src python3 benchmarks/web_bench.py [--rounds N]

Everything runs in-process (httpx against the ASGI app, the demo's virtual reader without modelled link time),
so the numbers are the app's own cost, not the card's: the contactless link adds its own time on top (see
benchmarks/link_bench.py).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable

from PIL import Image
from starlette.testclient import TestClient

from taimen.web.app import Settings, create_app
from taimen.web.demo import load_catalog
from taimen.web.images import normalize_capture
from taimen.web.readers import VirtualSource
from taimen.web.security import Guard

PORT = 18999
VALUES = {
    "mynumber-yamada": {"birth": "550217", "expiry_year": "2035", "security_code": "2285"},
    "license-yamada": {"pin1": "1234", "pin2": "5678"},
}


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000, max(samples) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    n = ap.parse_args().rounds

    t = time.perf_counter()
    catalog = load_catalog(realtime=False)
    print(f"demo catalog (trust dir, no card built yet): {(time.perf_counter() - t) * 1000:8.1f} ms")
    for key in VALUES:
        t = time.perf_counter()
        catalog.entries[key].card(False)
        print(f"first build of {key:<22}: {(time.perf_counter() - t) * 1000:8.1f} ms (keys generated)")

    guard = Guard(port=PORT)
    app = create_app(
        Settings(
            port=PORT, guard=guard, sources=[VirtualSource(catalog.reader)], demo=catalog, trust_dirs=catalog.trust_dirs
        )
    )
    h = {"x-csrf-token": guard.csrf}
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}") as c:
        c.get(f"/?code={guard.new_code()}")
        print(f"\n{'step':<40} {'median ms':>10} {'max ms':>10}   ({n} rounds)")
        for key, values in VALUES.items():
            c.post("/api/demo/place", data={"card": key}, headers=h)
            time.sleep(0.2)  # detection
            c.post("/document", data={"csrf": guard.csrf, "document": key.split("-")[0]})
            rows = [
                ("GET / (start page)", lambda: c.get("/")),
                ("GET /confirm (incl. tries query)", lambda: c.get("/confirm")),
                ("POST /api/read (full read + checks)", lambda v=values: c.post("/api/read", data=v, headers=h)),
                ("GET /result", lambda: c.get("/result")),
                ("GET /result/photo.png", lambda: c.get("/result/photo.png")),
            ]
            print(key)
            for label, fn in rows:
                med, mx = timed(fn, n)
                print(f"  {label:<38} {med:10.1f} {mx:10.1f}")
            c.post("/finish", headers=h)
    catalog.close()

    rnd = random.Random(1)
    w, hgt = 4000, 3000  # a 12-megapixel phone photo
    img = Image.frombytes("RGB", (w // 8, hgt // 8), bytes(rnd.getrandbits(8) for _ in range(w * hgt * 3 // 64)))
    buf = io.BytesIO()
    img.resize((w, hgt)).save(buf, format="JPEG", quality=90)
    data = buf.getvalue()
    med, mx = timed(lambda: normalize_capture(data), max(3, n // 4))
    print(f"\ncapture normalisation, 12 MP JPEG ({len(data) // 1024} KiB): median {med:.1f} ms, max {mx:.1f} ms")


if __name__ == "__main__":
    main()

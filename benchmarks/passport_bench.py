"""Benchmark: a passport read (BAC and PACE, extended and short APDUs) over the modelled contactless link,
and the CPU time of PACE and passive authentication on this machine.

Rows: APDUs, bytes, modelled link time, ``link_bench``'s floor (payload at the bit rate plus one turnaround
per exchange no strategy avoids once files are SELECTed), the ratio, and ``sfi_floor_s``: the floor if every
file were read with one SFI READ BINARY and no SELECT (what an ideal reader could reach on a chip that
accepts SFI reads inside SM). The reads are the real ``taimen.passport.document.DOCUMENT`` against the sample
passports: ``yamada`` (BAC, RSA AA, JPEG face) and ``sato`` (PACE brainpoolP256r1/AES-128, ECDSA AA, JPEG
2000 face). Real Japanese passports carry a larger DG2 (typically 15–25 kB): ``--face-kb`` pads the sample face
to that size so the bulk-transfer part is not flattered.

Run: ``python3 benchmarks/passport_bench.py`` (``--json`` for machine-readable rows).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from link_bench import measure

from taimen.core.apdu import Response
from taimen.emulator.link import LinkModel
from taimen.passport import lds, pace
from taimen.passport.dg2 import encode_dg2
from taimen.passport.dg14 import SecurityInfo
from taimen.passport.document import DOCUMENT
from taimen.passport.passiveauth import verify_passive
from taimen.passport.sod import parse_sod
from taimen.samples import passport_cards as pc

RATES = (212_000, 424_000)


def _card(key: str, face_kb: int):  # type: ignore[no-untyped-def]
    s = pc.sample(key)
    card = s.card()
    if face_kb:
        app = card.applications[0]
        p = s.person
        image, w, h = pc.face_image(p.face_seed, p.face_format)
        groups = {dg: app.files[fid].data for dg, (fid, _) in lds.DATA_GROUPS.items() if fid in app.files}
        groups[2] = _padded_dg2(image, w, h, p.face_format, face_kb * 1024)
        new = pc.passport_card(groups, pc.build_sod(groups, pc.pki()), card.behaviours[0], card.description,
                               card.sample or {})  # fmt: skip
        return s, new
    return s, card


def _padded_dg2(image: bytes, w: int, h: int, fmt: str, size: int) -> bytes:
    """The face grown to ``size`` bytes with a JPEG COM segment / JP2 free box, so it still decodes."""
    missing = max(0, size - len(image))
    if fmt == "jpeg":
        chunks = b""
        while missing > 4:
            n = min(missing - 4, 65533)
            chunks += b"\xff\xfe" + (n + 2).to_bytes(2, "big") + b"\x00" * n
            missing -= n + 4
        image = image[:2] + chunks + image[2:]
    else:
        image = image + (missing + 8).to_bytes(4, "big") + b"free" + b"\x00" * missing if missing else image
    return encode_dg2(image, w, h, 1 if fmt == "jp2" else 0)


def link_rows(face_kb: int) -> list[dict[str, object]]:
    rows = []
    for key in ("yamada", "sato"):
        for extended in (True, False):
            for rate in RATES:
                s, card = _card(key, face_kb)
                unlock = {"mrz": "\n".join(pc.mrz_lines(s.person))}
                trust = _trust_dir()
                stats = measure(card, lambda t, u=unlock, d=trust: DOCUMENT.read(t, u, trust_dirs=(d,)),
                                LinkModel(bit_rate=rate), extended)  # fmt: skip
                result = stats.pop("result")
                access = result.fields["access"]["protocol"]
                files = len(result.fields["data_groups"]["read"]) + 2  # + EF.COM, EF.SOD
                handshake = 5 if access.startswith("PACE") else 2
                sfi_exchanges = handshake + 1 + files + (1 if "DG15" in result.fields["data_groups"]["read"] else 0)
                link = LinkModel(bit_rate=rate)
                stats["sfi_floor_s"] = round(link.floor(int(stats["payload_bytes"]), sfi_exchanges), 4)
                stats["read"] = f"{key} ({access}), DG2 {len(card.applications[0].files[0x0102].data)} B"
                stats["verdict"] = result.verdict.status if result.verdict else None
                rows.append(stats)
    return rows


_TRUST: list[str] = []


def _trust_dir() -> str:
    if not _TRUST:
        import tempfile

        out = Path(tempfile.mkdtemp(prefix="taimen-passport-bench-"))
        pc.write_trust(out)
        _TRUST.append(str(out / "trust"))
    return _TRUST[0]


def cpu_rows(repeat: int = 20) -> list[dict[str, object]]:
    rows = []
    key = pc.mrz_key(pc.PERSONS["sato"])
    for oid, pid, label in (("0.4.0.127.0.7.2.2.4.2.2", 13, "PACE ECDH-GM brainpoolP256r1 AES-128"),
                            ("0.4.0.127.0.7.2.2.4.2.2", 12, "PACE ECDH-GM NIST P-256 AES-128"),
                            ("0.4.0.127.0.7.2.2.4.2.4", 16, "PACE ECDH-GM brainpoolP384r1 AES-256")):  # fmt: skip
        params = pace.supported(SecurityInfo(oid, "", 2, pid))
        assert params is not None
        times = []
        for _ in range(repeat):
            chip = pace.PaceChip(key, params)
            conv = pace.authenticate(key, params)
            cmd = next(conv)
            resp = Response(b"", 0x9000)
            terminal = 0.0
            try:
                while True:
                    t0 = time.process_time()
                    cmd = conv.send(resp)
                    terminal += time.process_time() - t0
                    resp, _ = chip.step(cmd)
            except StopIteration:
                terminal += time.process_time() - t0
            times.append(terminal)
        rows.append({"operation": f"{label} (terminal side)", "median_ms": round(statistics.median(times) * 1000, 2)})
    for key in ("yamada", "sato"):
        app = pc.sample(key).card().applications[0]
        files = {dg: app.files[fid].data for dg, (fid, _) in lds.DATA_GROUPS.items() if fid in app.files}
        sod_bytes, cscas = app.files[lds.EF_SOD].data, [pc.sample_csca()]
        times = []
        for _ in range(repeat):
            t0 = time.process_time()
            checks = verify_passive(parse_sod(sod_bytes), files, cscas)
            times.append(time.process_time() - t0)
        assert all(c.status == "passed" for c in checks)
        rows.append({"operation": f"passive authentication ({key}: ECDSA P-256 DSC, P-384 CSCA)",
                     "median_ms": round(statistics.median(times) * 1000, 2)})  # fmt: skip
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--face-kb", type=int, default=20, help="grow the sample face to this size (0: as generated)")
    args = ap.parse_args()
    rows, cpu = link_rows(args.face_kb), cpu_rows()
    if args.json:
        print(json.dumps({"link": rows, "cpu": cpu}, indent=1))
        return 0
    print(f"{'read':<52} {'ext':>3} {'kbit/s':>6} {'APDUs':>5} {'sent':>6} {'recv':>6} {'model s':>8} "
          f"{'floor s':>8} {'ratio':>5} {'sfi floor':>9} verdict")  # fmt: skip
    for r in rows:
        print(f"{r['read']:<52} {'yes' if r['reader_extended'] else 'no':>3} {int(r['bit_rate']) // 1000:>6} "
              f"{r['apdus']:>5} {r['bytes_sent']:>6} {r['bytes_received']:>6} "
              f"{float(r['modelled_seconds']):>8.3f} {float(r['floor_seconds']):>8.3f} {float(r['ratio']):>5.2f} "
              f"{r['sfi_floor_s']:>9.3f} {r['verdict']}")  # fmt: skip
    print()
    for r in cpu:
        print(f"{r['operation']:<70} {r['median_ms']:>8} ms CPU (median of 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``taimen trust``: pin passport CSCA certificates from a certificate file or a verified ICAO master list.

Certificates are written as PEM, byte for byte, into ``DIR/csca/`` (default: the user's trust directory
``~/.config/taimen/trust``), each with a line of provenance in ``DIR/csca/PROVENANCE.txt``: the source file,
its SHA-256 and, for a master list, the signer the list verified under.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import os
import textwrap
from pathlib import Path

from taimen.cli import LazySubParsers
from taimen.errors import OperatorInputError, ParseError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at every start
if TYPE_CHECKING:
    from taimen.passport import certs

MAX_MASTER_LIST = 8 * 1024 * 1024


def default_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "taimen" / "trust"


def register(sub: LazySubParsers) -> None:
    sub.add_lazy("trust", build, help="トラストアンカーの登録 / pin trust anchors (passport CSCAs)")


def build(p: argparse.ArgumentParser) -> None:
    tsub = p.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    c = tsub.add_parser("import-csca", help="CSCA証明書ファイルを登録 / pin a CSCA certificate file (PEM or DER)")
    c.add_argument("file")
    c.add_argument("--dir", help="trust directory (default ~/.config/taimen/trust)")
    c.set_defaults(func=run_csca)
    m = tsub.add_parser("import-masterlist", help="ICAOマスターリストから登録 / pin CSCAs from a verified master list")
    m.add_argument("file")
    m.add_argument("--country", action="append", required=True, metavar="CC",
                   help="ISO alpha-2 country whose CSCAs to pin (repeatable), e.g. JP")  # fmt: skip
    m.add_argument("--dir", help="trust directory (default ~/.config/taimen/trust)")
    m.set_defaults(func=run_master_list)


def _pin(target: Path, found: list[certs.Cert], provenance: str) -> list[Path]:
    d = target / "csca"
    d.mkdir(parents=True, exist_ok=True)
    written = []
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with (d / "PROVENANCE.txt").open("a", encoding="utf-8") as log:
        for cert in found:
            path = d / f"{cert.country.lower() or 'xx'}-{cert.fingerprint[:16].lower()}.pem"
            body = "\n".join(textwrap.wrap(base64.b64encode(cert.der).decode(), 64))
            path.write_text(f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n", encoding="ascii")
            log.write(f"{stamp} {path.name} SHA-256 {cert.fingerprint} {cert.subject_text}; {provenance}\n")
            written.append(path)
    return written


def run_csca(args: argparse.Namespace) -> int:
    from taimen.passport import certs  # imported when used: `taimen --version` stays fast
    from taimen.trust.store import MAX_FILE_BYTES, split_certificates

    raw = Path(args.file).read_bytes()[: MAX_FILE_BYTES + 1]
    if len(raw) > MAX_FILE_BYTES:
        raise OperatorInputError("certificate file too large")
    found = []
    for der in split_certificates(raw, args.file):
        try:
            cert = certs.load(der)
        except ParseError as exc:
            raise OperatorInputError(f"{args.file}: {exc}") from exc
        if not cert.is_ca or "key_cert_sign" not in cert.key_usage:
            raise OperatorInputError(f"{args.file}: {cert.subject_text} is not a CA certificate (keyCertSign, CA)")
        found.append(cert)
    source = f"from file {Path(args.file).name} (SHA-256 {hashlib.sha256(raw).hexdigest().upper()})"
    for path in _pin(Path(args.dir) if args.dir else default_dir(), found, source):
        print(path)
    return 0


def run_master_list(args: argparse.Namespace) -> int:
    from taimen.passport.masterlist import parse_master_list

    raw = Path(args.file).read_bytes()[: MAX_MASTER_LIST + 1]
    ml = parse_master_list(raw)
    found = [c for cc in args.country for c in ml.for_country(cc)]
    if not found:
        raise OperatorInputError(f"the master list holds no CSCA of {', '.join(args.country)}")
    source = (f"from ICAO master list {Path(args.file).name} (SHA-256 {hashlib.sha256(raw).hexdigest().upper()}), "
              f"signature verified under {ml.signer.subject_text}")  # fmt: skip
    for path in _pin(Path(args.dir) if args.dir else default_dir(), found, source):
        print(path)
    print(f"{len(found)} CSCA certificates pinned; master list signed by {ml.signer.subject_text}")
    return 0

"""Pinned Japanese CSCAs, master lists (signature verified) and the ``taimen trust`` import commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from taimen.cli import main
from taimen.errors import OperatorInputError
from taimen.passport import certs
from taimen.passport.document import csca_certificates
from taimen.passport.masterlist import parse_master_list
from taimen.samples import passport_cards as pc
from taimen.trust import TrustStore

JP_FINGERPRINTS = {
    "764B5259B64DC7D34D7695080F8D9D523ACDB45E8436D32E3019033955066B4C",
    "5434B41ED095630D193572FF0FE821A1382FBC35051FD696AE66A00738145D8B",
    "493260E5D98322B0CF61EABCAF5FE34E182A9B82F862F8555E431A8268F984F1",
    "FAFC46EB6F3C31767F70A65295CF8C6073BA2A46CE7EE60538342A0ED53007BE",
}


def test_builtin_japanese_cscas_are_the_recorded_bytes_and_self_signed() -> None:
    anchors = TrustStore.load(builtin=True, environment=False).raw_certificates("csca")
    assert {a.fingerprint for a in anchors} == JP_FINGERPRINTS
    for a in anchors:
        cert = certs.load(a.der)
        assert cert.country == "JP" and "e-passportCSCA" in cert.subject_text
        assert certs.issued_by(cert, cert) and cert.is_ca and "key_cert_sign" in cert.key_usage
    assert len(csca_certificates(())) >= 4


def test_sample_passport_without_its_sample_csca_is_an_unknown_signer(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    """With only the real JP CSCAs pinned, a JPN passport signed by anyone else is not genuine."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    from taimen.passport.document import DOCUMENT
    from taimen.transport.inprocess import InProcessTransport

    s = pc.sample("yamada")
    res = DOCUMENT.read(InProcessTransport(s.card()), {"mrz": "\n".join(pc.mrz_lines(s.person))})
    assert {c.name: c.status for c in res.checks}["passport.dsc_chain"] == "failed"


def test_master_list_signature_is_verified() -> None:
    ml_bytes = pc.build_master_list([pc.pki().csca, pc.rogue_pki().csca], pc.pki())
    ml = parse_master_list(ml_bytes)
    assert len(ml.certificates) == 2 and ml.signer_issuer.der == pc.sample_csca().der
    assert len(ml.for_country("JP")) == 2
    tampered = bytearray(ml_bytes)
    at = bytes(tampered).find(b"taimen samples")
    tampered[at] ^= 0x20
    with pytest.raises(OperatorInputError):
        parse_master_list(bytes(tampered))
    with pytest.raises(OperatorInputError):  # a list whose signer no CSCA in it issued
        parse_master_list(pc.build_master_list([pc.rogue_pki().csca], pc.pki()))


def test_trust_import_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ml = tmp_path / "list.ml"
    ml.write_bytes(pc.build_master_list([pc.pki().csca], pc.pki()))
    target = tmp_path / "trust"
    assert main(["trust", "import-masterlist", str(ml), "--country", "JP", "--dir", str(target)]) == 0
    pinned = TrustStore.load([target], builtin=False, environment=False).raw_certificates("csca")
    assert [a.der for a in pinned] == [pc.sample_csca().der]
    assert "signature verified under" in (target / "csca" / "PROVENANCE.txt").read_text(encoding="utf-8")
    dsc = tmp_path / "dsc.pem"
    from cryptography.hazmat.primitives.serialization import Encoding

    dsc.write_bytes(pc.pki().dsc.public_bytes(Encoding.PEM))
    assert main(["trust", "import-csca", str(dsc), "--dir", str(target)]) == 2  # not a CA: refused
    assert main(["trust", "import-masterlist", str(ml), "--country", "FR", "--dir", str(target)]) == 2
    capsys.readouterr()

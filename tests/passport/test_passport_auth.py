"""Active authentication (ISO 9796-2 and plain ECDSA) and passive authentication edge cases."""

from __future__ import annotations

from taimen.passport import activeauth, lds
from taimen.passport.passiveauth import verify_passive
from taimen.passport.sod import parse_sod
from taimen.result import CheckStatus
from taimen.samples import passport_cards as pc


def test_rsa_9796_2_round_trip_and_tamper() -> None:
    key = pc.aa_key("rsa", "yamada")
    nonce = bytes(range(8))
    sig = activeauth.sign_9796_2(key, nonce)
    assert activeauth.verify(key.public_key(), nonce, sig)
    assert not activeauth.verify(key.public_key(), bytes(8), sig)  # a replayed answer to another nonce
    assert not activeauth.verify(key.public_key(), nonce, sig[:-1] + bytes([sig[-1] ^ 1]))
    other = pc.aa_key("rsa", "someone else")
    assert not activeauth.verify(other.public_key(), nonce, sig)


def test_ecdsa_plain_round_trip() -> None:
    key = pc.aa_key("ec", "sato")
    nonce = b"\x01" * 8
    sig = activeauth.sign_ecdsa_plain(key, nonce)
    assert len(sig) == 64 and activeauth.verify(key.public_key(), nonce, sig)
    assert not activeauth.verify(key.public_key(), b"\x02" * 8, sig)


def _files(key: str) -> tuple[dict[int, bytes], bytes]:
    app = pc.sample(key).card().applications[0]
    files = {dg: app.files[fid].data for dg, (fid, _) in lds.DATA_GROUPS.items() if fid in app.files}
    return files, app.files[lds.EF_SOD].data


def test_a_data_group_missing_from_the_sod_fails() -> None:
    files, sod = _files("yamada")
    files[7] = b"\x67\x00"
    checks = {c.name: c for c in verify_passive(parse_sod(sod), files, [pc.sample_csca()])}
    assert checks["passport.dg_hashes"].status is CheckStatus.FAILED and "DG7" in checks["passport.dg_hashes"].detail_en


def test_altered_sod_signature_fails() -> None:
    files, sod = _files("yamada")
    parsed = parse_sod(sod)
    raw = bytearray(sod)
    sig = parsed.signer_info["signature"].native
    at = bytes(raw).find(sig)
    raw[at + 10] ^= 0x01
    checks = {c.name: c.status for c in verify_passive(parse_sod(bytes(raw)), files, [pc.sample_csca()])}
    assert checks["passport.sod_signature"] is CheckStatus.FAILED


def test_unknown_signer_fails_only_when_the_state_has_a_pinned_csca() -> None:
    files, sod = _files("forged-unknown-signer")
    assert {c.name: c.status for c in verify_passive(parse_sod(sod), files, [pc.sample_csca()])}[
        "passport.dsc_chain"] is CheckStatus.FAILED  # fmt: skip
    assert {c.name: c.status for c in verify_passive(parse_sod(sod), files, [])}[
        "passport.dsc_chain"] is CheckStatus.NOT_VERIFIABLE  # fmt: skip

"""OpenSC against ``taimen emulate`` through pcscd: a real-card oracle for the emulated JPKI AP (issue 13 items 2-3).

OpenSC's JPKI driver (card-jpki.c, pkcs15-jpki.c) was written and tested against real My Number Cards, so what
it accepts is strong evidence the emulator answers as a card does: four certificates (EF 000A/000B free,
EF 0001 behind the 署名用 password, EF 0002), the two PINs with their tries, and COMPUTE DIGITAL SIGNATURE
(``80 2A 00 80`` after SELECT of key 0017/001A). ``pkcs15-tool --list-pins`` after ``--verify-pin`` (two
processes, the card stays verified in between) needs the real cards' 63Cx answer to the tries query.

Debian's ``opensc`` package provides the tools (.ci/run installs it).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from taimen.emulator.image import save_card
from taimen.mynumber.aids import JpkiAp
from taimen.samples import mynumber_cards as mc
from taimen.testing.pcsc import pcscd_running

from .test_pcsc_cli import start_emulator, wait_atr

pytestmark = pytest.mark.pcsc

SAMPLE = mc.genuine("yamada")
AUTH_PIN = SAMPLE.chip.jpki_auth_pin
SIGN_PASSWORD = SAMPLE.chip.jpki_sign_password  # synthetic sample value; still must never be echoed


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    if shutil.which("pkcs15-tool") is None:
        pytest.fail("OpenSC is not installed (apt-get install opensc; .ci/run does it)")
    image = tmp_path_factory.mktemp("opensc") / "mynumber-yamada.json"
    card = SAMPLE.card()
    save_card(card, image)
    with pcscd_running():
        proc, reader = start_emulator(image)
        try:
            wait_atr(reader, card.atr)
            yield reader, proc, image
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _cert(fid: int) -> x509.Certificate:
    return x509.load_der_x509_certificate(SAMPLE.chip.jpki_files[fid])


def test_opensc_lists_all_four_certificates(emulated: tuple[str, subprocess.Popen[str], Path]) -> None:
    reader, _, _ = emulated
    done = _tool("pkcs15-tool", "--reader", reader, "--list-certificates")
    assert done.returncode == 0, done.stderr
    for label, path in (
        ("User Authentication Certificate", "000a"),
        ("Digital Signature Certificate", "0001"),
        ("User Authentication Certificate CA", "000b"),
        ("Digital Signature Certificate CA", "0002"),
    ):
        assert f"[{label}]" in done.stdout and f"Path           : {path}" in done.stdout


def test_list_pins_after_verify_pin_in_another_process(emulated: tuple[str, subprocess.Popen[str], Path]) -> None:
    """The card stays verified between the two runs; a 9000 answer to the query breaks OpenSC's binding."""
    reader, _, _ = emulated
    verify = _tool("pkcs15-tool", "--reader", reader, "--verify-pin", "--auth-id", "01", "--pin", AUTH_PIN)
    assert verify.returncode == 0, verify.stderr
    listed = _tool("pkcs15-tool", "--reader", reader, "--list-pins")
    assert listed.returncode == 0, listed.stderr
    assert "PIN [User Authentication PIN]" in listed.stdout and "PIN [Digital Signature PIN]" in listed.stdout
    assert "Tries left     : 3" in listed.stdout and "Tries left     : 5" in listed.stdout


@pytest.mark.parametrize(
    ("key_id", "secret", "cert_fid"), [("01", AUTH_PIN, JpkiAp.AUTH_CERT), ("02", SIGN_PASSWORD, JpkiAp.SIGN_CERT)]
)
def test_pkcs15_crypt_signs_and_the_signature_verifies(
    emulated: tuple[str, subprocess.Popen[str], Path], tmp_path: Path, key_id: str, secret: str, cert_fid: int
) -> None:
    reader, _, _ = emulated
    message = f"taimen issue 13 signing test {key_id}".encode()
    digest = tmp_path / "digest"
    digest.write_bytes(hashlib.sha256(message).digest())
    out = tmp_path / "signature"
    done = _tool(
        "pkcs15-crypt", "--reader", reader, "--sign", "--key", key_id, "--pkcs1", "--sha-256",
        "--input", str(digest), "--output", str(out), "--pin", secret,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    public = _cert(cert_fid).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(out.read_bytes(), message, padding.PKCS1v15(), hashes.SHA256())  # raises if it does not verify


def test_signing_certificate_chains_to_its_ca() -> None:
    _cert(JpkiAp.SIGN_CERT).verify_directly_issued_by(_cert(JpkiAp.SIGN_CA_CERT))
    _cert(JpkiAp.AUTH_CERT).verify_directly_issued_by(_cert(JpkiAp.AUTH_CA_CERT))


def test_the_emulator_never_echoes_a_pin(emulated: tuple[str, subprocess.Popen[str], Path]) -> None:
    """Run last in this module: after the PINs and the signing password went through it, nothing it printed
    or wrote besides the card image itself holds them."""
    reader, proc, image = emulated
    _tool("pkcs15-tool", "--reader", reader, "--verify-pin", "--auth-id", "02", "--pin", SIGN_PASSWORD)
    proc.terminate()
    out, err = proc.communicate(timeout=10)
    for secret in (SIGN_PASSWORD, AUTH_PIN.encode().hex().upper(), SIGN_PASSWORD.encode().hex().upper()):
        assert secret not in out and secret not in err
    written = [p for p in image.parent.iterdir() if p != image]
    assert written == []

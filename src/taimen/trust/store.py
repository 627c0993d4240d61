"""The trust store: pinned public keys and certificates, from the package and from administrator directories.

Sources, in order (a later source replaces an earlier anchor with the same key ID or certificate):

1. the built-in anchors shipped in ``taimen/trust/anchors/`` (see PROVENANCE.md there), unless
   ``TAIMEN_TRUST_NO_BUILTIN=1``;
2. ``$XDG_CONFIG_HOME/taimen/trust`` (default ``~/.config/taimen/trust``) if it exists;
3. every directory in ``TAIMEN_TRUST_DIRS`` (separated by ``os.pathsep``);
4. the directories given by the caller (``--trust-dir``).

A trust directory holds one sub-directory per kind of anchor:

- ``jlis-cvc/*.json``: J-LIS CVC CA keys (``{"keys": [{"key_id_hex", "name", "hierarchy", "role"?, "signs"?,
  "modulus_hex", "exponent_hex"}]}``), looked up by the full 16-byte key ID the certificate names;
- ``<category>/*.pem|*.crt|*.cer|*.der``: X.509 certificates pinned for one category, e.g. ``jpki/`` for the
  JPKI roots. Other documents use their own category names.

Nothing here ever takes a key or certificate from a card: an anchor is something the verifier already had.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.errors import OperatorInputError, ParseError
from taimen.trust import certinfo

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

ENV_DIRS = "TAIMEN_TRUST_DIRS"
ENV_NO_BUILTIN = "TAIMEN_TRUST_NO_BUILTIN"
CVC_DIR = "jlis-cvc"
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 500

#: Categories whose certificates are kept as the DER bytes given and parsed by the document that uses them:
#: some states' passport CSCAs are not strict DER, which ``cryptography`` refuses (passport/certs.py).
RAW_CATEGORIES = ("csca",)

#: CVC CA roles: which certificate a key may sign.
ROLES = ("kenmen_ap", "text_ap", "mf_chain")


@dataclass(frozen=True)
class CvcAnchor:
    """A J-LIS CA public key that signs card-verifiable certificates (EF 0004)."""

    key_id: bytes  # the full 16-byte 証明者鍵ID
    name: str  # display form, e.g. "5000023/001"
    hierarchy: str  # "production", "test (JPKI-TEST cards)", "taimen-sample", …
    role: str | None  # one of ROLES, None when the source does not say
    public_key: rsa.RSAPublicKey = field(compare=False)
    source: str = ""
    #: Not published by J-LIS (e.g. recovered from card certificates): verifying under it is reported as such.
    unofficial: bool = False

    @property
    def is_jlis_test(self) -> bool:
        """A key of J-LIS's own test hierarchy: it verifies test cards, not issued identity documents."""
        return self.hierarchy.startswith("test")


@dataclass(frozen=True)
class CertificateAnchor:
    """A pinned X.509 certificate, given parsed or as DER. DER is parsed with ``cryptography.x509`` only when a
    document asks for ``certificate``: a look-up by key (``info``, ``public_key``) needs the light reader."""

    category: str
    given: x509.Certificate | bytes = field(compare=False, repr=False)
    source: str = ""

    @cached_property
    def der(self) -> bytes:
        if isinstance(self.given, bytes):
            return self.given
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.given.public_bytes(Encoding.DER)

    @cached_property
    def info(self) -> certinfo.CertInfo:
        return certinfo.parse(self.der)

    @cached_property
    def certificate(self) -> x509.Certificate:
        if not isinstance(self.given, bytes):
            return self.given
        from cryptography import x509

        try:
            return x509.load_der_x509_certificate(self.given)
        except ValueError as exc:  # the light reader accepted the outline; cryptography reads every field
            raise OperatorInputError(f"trust file {self.source} is not an X.509 certificate: {exc}") from exc

    def public_key(self) -> PublicKeyTypes:
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        return load_der_public_key(self.info.spki)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest().upper()

    @property
    def label(self) -> str:
        return f"{Path(self.source).name or self.category} (SHA-256 {self.fingerprint[:16]}…)"


@dataclass(frozen=True)
class RawCertificateAnchor:
    """A pinned certificate kept as bytes (category in ``RAW_CATEGORIES``)."""

    category: str
    der: bytes
    source: str = ""

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest().upper()


def split_certificates(raw: bytes, source: str) -> list[bytes]:
    """The DER of each certificate in a PEM file (one or more blocks) or of a DER file, without parsing it."""
    if b"-----BEGIN" not in raw:
        if not raw.startswith(b"\x30"):
            raise OperatorInputError(f"trust file {source} is neither PEM nor a DER certificate")
        return [raw]
    out = []
    for block in raw.split(b"-----BEGIN CERTIFICATE-----")[1:]:
        body, sep, _ = block.partition(b"-----END CERTIFICATE-----")
        if not sep:
            raise OperatorInputError(f"trust file {source}: unterminated PEM block")
        try:
            out.append(base64.b64decode(b"".join(body.split()), validate=True))
        except ValueError as exc:
            raise OperatorInputError(f"trust file {source}: PEM block is not base64") from exc
    if not out:
        raise OperatorInputError(f"trust file {source} holds no CERTIFICATE block")
    return out


def _infer_role(signs: str) -> str | None:
    if "券面事項確認AP" in signs or "券面AP" in signs:
        return "kenmen_ap"
    if "入力補助AP" in signs:
        return "text_ap"
    if "MF" in signs:
        return "mf_chain"
    return None


def _hex(spec: dict[str, Any], key: str, where: str) -> bytes:
    try:
        return bytes.fromhex(str(spec[key]))
    except (KeyError, ValueError) as exc:
        raise OperatorInputError(f"{where}: {key} missing or not hex") from exc


def parse_cvc_key_file(text: str, source: str) -> list[CvcAnchor]:
    """Parse a ``jlis-cvc`` JSON key file (the format of the reference's jlis-cvc-ca-keys.json)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OperatorInputError(f"trust file {source} is not valid JSON: {exc}") from exc
    keys = doc.get("keys") if isinstance(doc, dict) else None
    file_unofficial = isinstance(doc, dict) and "UNOFFICIAL" in str(doc.get("about", "")).upper()
    if not isinstance(keys, list):
        raise OperatorInputError(f"trust file {source}: a 'keys' list is expected")
    out = []
    for i, spec in enumerate(keys):
        where = f"{source} key #{i}"
        if not isinstance(spec, dict):
            raise OperatorInputError(f"{where}: an object is expected")
        key_id = _hex(spec, "key_id_hex", where)
        if len(key_id) != 16:
            raise OperatorInputError(f"{where}: key_id_hex must be 16 bytes, not {len(key_id)}")
        n = int.from_bytes(_hex(spec, "modulus_hex", where), "big")
        e = int.from_bytes(_hex(spec, "exponent_hex", where), "big")
        if n.bit_length() < 2048 or e < 3 or e % 2 == 0:
            raise OperatorInputError(f"{where}: not an RSA-2048 (or larger) public key")
        role = spec.get("role") or _infer_role(str(spec.get("signs", "")))
        if role is not None and role not in ROLES:
            raise OperatorInputError(f"{where}: role must be one of {', '.join(ROLES)}")
        out.append(
            CvcAnchor(
                key_id=key_id,
                name=str(spec.get("name", key_id.hex().upper())),
                hierarchy=str(spec.get("hierarchy", "unspecified")),
                role=role,
                public_key=rsa.RSAPublicNumbers(e, n).public_key(),
                source=source,
                unofficial=bool(spec.get("unofficial", file_unofficial)),
            )
        )
    return out


def parse_certificates(raw: bytes, source: str) -> list[bytes]:
    """The DER of each certificate in a trust file, each checked to be an X.509 certificate in strict DER."""
    out = split_certificates(raw, source)
    for der in out:
        try:
            certinfo.parse(der)
        except ParseError as exc:
            raise OperatorInputError(f"trust file {source} is not an X.509 certificate: {exc}") from exc
    return out


class TrustStore:
    """Pinned anchors. Look-ups never fall back to anything the card supplies."""

    def __init__(self, cvc: Iterable[CvcAnchor] = (), certificates: Iterable[CertificateAnchor] = ()) -> None:
        self._cvc: dict[bytes, CvcAnchor] = {}
        self._certs: dict[tuple[str, str], CertificateAnchor] = {}
        self._raw: dict[tuple[str, str], RawCertificateAnchor] = {}
        self.sources: list[str] = []
        for a in cvc:
            self.add_cvc(a)
        for c in certificates:
            self.add_certificate(c)

    # --- building ------------------------------------------------------------------------------------

    def add_cvc(self, anchor: CvcAnchor) -> None:
        self._cvc[anchor.key_id] = anchor

    def add_certificate(self, anchor: CertificateAnchor) -> None:
        self._certs[(anchor.category, anchor.fingerprint)] = anchor

    def add_tree(self, root: Path, label: str) -> None:
        """Add every anchor found in a trust directory (layout in the module docstring)."""
        count = 0
        self.sources.append(label)
        for sub in sorted(root.iterdir(), key=lambda p: p.name):
            if not sub.is_dir() or sub.name.startswith("."):
                continue
            for f in sorted(sub.iterdir(), key=lambda p: p.name):
                if not f.is_file():
                    continue
                count += 1
                if count > MAX_FILES:
                    raise OperatorInputError(f"trust directory {label} holds more than {MAX_FILES} files")
                source = f"{label}/{sub.name}/{f.name}"
                suffix = Path(f.name).suffix.lower()
                if sub.name in RAW_CATEGORIES and suffix in CERT_SUFFIXES:
                    for der in split_certificates(_read_bounded(f, source), source):
                        anchor = RawCertificateAnchor(sub.name, der, source)
                        self._raw[(sub.name, anchor.fingerprint)] = anchor
                elif sub.name == CVC_DIR and suffix == ".json":
                    for a in parse_cvc_key_file(_read_bounded(f, source).decode("utf-8"), source):
                        self.add_cvc(a)
                elif suffix in CERT_SUFFIXES:
                    for cert in parse_certificates(_read_bounded(f, source), source):
                        self.add_certificate(CertificateAnchor(sub.name, cert, source))

    @classmethod
    def load(
        cls,
        extra_dirs: Iterable[str | Path] = (),
        *,
        builtin: bool | None = None,
        environment: bool = True,
    ) -> TrustStore:
        store = cls()
        if builtin is None:
            builtin = os.environ.get(ENV_NO_BUILTIN, "") not in ("1", "true", "yes")
        if builtin:
            store.add_tree(Path(__file__).with_name("anchors"), "built-in")  # not importlib.resources: ~10 ms more
        dirs: list[Path] = []
        if environment:
            config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "taimen" / "trust"
            if config.is_dir():
                dirs.append(config)
            dirs += [Path(p) for p in os.environ.get(ENV_DIRS, "").split(os.pathsep) if p]
        dirs += [Path(p) for p in extra_dirs]
        for d in dirs:
            if not d.is_dir():
                raise OperatorInputError(
                    f"trust directory {d} {'is not a directory' if d.exists() else 'does not exist'}",
                    message_ja=f"トラストアンカーのディレクトリ {d} がありません。",
                )
            store.add_tree(d, str(d))
        return store

    # --- look-ups ------------------------------------------------------------------------------------

    def cvc_key(self, key_id: bytes) -> CvcAnchor | None:
        """The CA key with exactly this 16-byte ID (so a test ID never resolves to a production key)."""
        return self._cvc.get(bytes(key_id))

    def cvc_keys(self) -> list[CvcAnchor]:
        return list(self._cvc.values())

    def certificates(self, category: str) -> list[CertificateAnchor]:
        return [a for (cat, _), a in self._certs.items() if cat == category]

    def raw_certificates(self, category: str) -> list[RawCertificateAnchor]:
        return [a for (cat, _), a in self._raw.items() if cat == category]

    def __iter__(self) -> Iterator[CvcAnchor | CertificateAnchor]:
        yield from self._cvc.values()
        yield from self._certs.values()


def _read_bounded(f: Path, source: str) -> bytes:
    with f.open("rb") as fh:
        raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise OperatorInputError(f"trust file {source} is larger than {MAX_FILE_BYTES} bytes")
    return raw

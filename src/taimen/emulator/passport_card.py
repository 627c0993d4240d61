"""The eMRTD chip's behaviour for the emulator: BAC, ICAO secure messaging, active authentication.

Plugged into the LDS1 application (AID A0000002471001). GET CHALLENGE and MUTUAL AUTHENTICATE run in plain;
afterwards every command must come wrapped in ICAO 9303 SM (core/secure_messaging.py, chip side) and the
files answer only inside it, as on a real BAC chip. An SM error ends the session (the chip forgets its keys).

Forgery switches for tests: ``accept_any_key`` answers MUTUAL AUTHENTICATE with 9000 and 40 bytes of noise
whatever the terminal sent (a chip that does not know the MRZ key); no AA key models a clone whose files were
copied without the private key it cannot read out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from taimen.core.apdu import Command, Response
from taimen.core.secure_messaging import ICAO_9303, SecureChannel, SmCommandError
from taimen.emulator.card import DedicatedFile, VirtualCard
from taimen.passport import activeauth, bac, chipauth, pace
from taimen.passport.dg14 import SecurityInfo
from taimen.passport.lds import LDS1_AID
from taimen.passport.mrz import MrzKey

AaPrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class EmrtdChip:
    mrz: MrzKey
    aa_key: AaPrivateKey | None = None
    accept_any_key: bool = False
    #: PACE the chip offers (also listed in EF.CardAccess): (protocol OID, parameter ID); None: BAC only.
    pace_offer: tuple[str, int] | None = None
    #: Chip authentication: the static EC key whose public half DG14 carries, and the CA protocol OID.
    ca_key: ec.EllipticCurvePrivateKey | None = None
    ca_oid: str = "0.4.0.127.0.7.2.2.3.2.2"
    _ca_armed: bool = field(default=False, init=False, repr=False)
    _pace: pace.PaceChip | None = field(default=None, init=False, repr=False)
    _session: SecureChannel | None = field(default=None, init=False, repr=False)
    _rnd_icc: bytes | None = field(default=None, init=False, repr=False)
    _inside: bool = field(default=False, init=False, repr=False)

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        if self._inside:
            return None  # an unwrapped command on its way to the file system
        if c.cla == 0x00 and c.ins == 0xA4 and c.p1 == 0x04:
            self._session = None  # (re)selecting the application ends any session
            return None
        if c.cla & 0x0C == 0x0C:
            return self._secured(card, c)
        if c.ins == 0x22 and c.cla == 0x00 and (c.p1, c.p2) == (0xC1, 0xA4):
            return self._mse_set_at(c)
        if c.ins == 0x86 and c.cla in (0x00, 0x10):
            return self._general_authenticate(c)
        if c.cla != 0x00:
            return None
        if c.ins == 0x84:
            self._session = None
            self._rnd_icc = os.urandom(8)
            return Response(self._rnd_icc, 0x9000)
        if c.ins == 0x82:
            return self._mutual_authenticate(c)
        if c.ins in (0xA4, 0xB0, 0xB1, 0x88) and df.aid == LDS1_AID:
            self._session = None
            return Response(b"", 0x6982)  # files and AA only inside secure messaging
        return None

    def _params(self) -> pace.PaceParams | None:
        if self.pace_offer is None:
            return None
        return pace.supported(SecurityInfo(self.pace_offer[0], "", 2, self.pace_offer[1]))

    def _mse_set_at(self, c: Command) -> Response:
        from taimen.core import tlv
        from taimen.errors import ParseError

        params = self._params()
        self._session = self._pace = None
        if params is None:
            return Response(b"", 0x6A80)
        try:
            objects = tlv.index(tlv.parse_all(c.data), unique=True)
        except ParseError:
            return Response(b"", 0x6A80)
        if objects.get(0x80) is None or objects[0x80].value != params.oid_der_value:
            return Response(b"", 0x6A80)
        if objects.get(0x83) is None or objects[0x83].value != b"\x01":
            return Response(b"", 0x6A88)  # only the MRZ password (no CAN on a passport)
        self._pace = pace.PaceChip(self.mrz, params)
        return Response(b"", 0x9000)

    def _general_authenticate(self, c: Command) -> Response:
        if self._pace is None:
            return Response(b"", 0x6985)
        answer, channel = self._pace.step(c)
        if answer.sw != 0x9000:
            self._pace = None
        if channel is not None:
            self._session, self._pace = channel, None
        return answer

    def _mutual_authenticate(self, c: Command) -> Response:
        rnd_icc, self._rnd_icc, self._session = self._rnd_icc, None, None
        if self.accept_any_key:
            return Response(os.urandom(40), 0x9000)
        if rnd_icc is None:
            return Response(b"", 0x6985)
        k_enc, k_mac = bac.access_keys(self.mrz)
        answer = bac.chip_answer(k_enc, k_mac, rnd_icc, c.data)
        if answer is None:
            return Response(b"", 0x6300)
        self._session = answer[1]
        return Response(answer[0], 0x9000)

    def _secured(self, card: VirtualCard, c: Command) -> Response:
        session = self._session
        if session is None:
            return Response(b"", 0x6988)
        try:
            plain = session.card_unprotect(c)
        except SmCommandError as exc:
            self._session = None
            return Response(b"", exc.sw)
        if plain.ins == 0x88:
            answer = self._internal_authenticate(plain)
        elif (plain.ins == 0x22 and (plain.p1, plain.p2) == (0x41, 0xA4)) or plain.ins == 0x86:
            if self.ca_key is None:
                return session.card_protect(Response(b"", 0x6D00))
            answer, keys, self._ca_armed = chipauth.chip_step(
                self.ca_key, self.ca_oid, chipauth.CA_ECDH_AES.get(self.ca_oid, 16), plain, self._ca_armed
            )
            protected = session.card_protect(answer)
            if keys is not None:  # the answer goes out under the old keys; everything after under the new
                self._session = SecureChannel(keys, ICAO_9303, ssc=0)
            return protected
        else:
            self._inside = True
            try:
                answer = card.process(plain)
            finally:
                self._inside = False
        return session.card_protect(answer)

    def _internal_authenticate(self, c: Command) -> Response:
        if self.aa_key is None:
            return Response(b"", 0x6D00)  # a clone: the files were copied, the key could not be
        if len(c.data) != activeauth.NONCE_BYTES:
            return Response(b"", 0x6700)
        if isinstance(self.aa_key, rsa.RSAPrivateKey):
            return Response(activeauth.sign_9796_2(self.aa_key, c.data), 0x9000)
        return Response(activeauth.sign_ecdsa_plain(self.aa_key, c.data), 0x9000)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "icao-emrtd",
            "mrz": {"document_number": self.mrz.document_number, "birth": self.mrz.birth, "expiry": self.mrz.expiry},
        }
        if self.aa_key is not None:
            out["aa_private_key_pem"] = self.aa_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
        if self.accept_any_key:
            out["accept_any_key"] = True
        if self.pace_offer is not None:
            out["pace"] = {"oid": self.pace_offer[0], "parameter_id": self.pace_offer[1]}
        if self.ca_key is not None:
            out["ca"] = {"oid": self.ca_oid, "private_key_pem": self.ca_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()}  # fmt: skip
        return out


def from_json(spec: dict[str, Any]) -> EmrtdChip:
    m = spec["mrz"]
    key = MrzKey.from_fields(m["document_number"], m["birth"], m["expiry"])
    aa = None
    if spec.get("aa_private_key_pem"):
        loaded = serialization.load_pem_private_key(spec["aa_private_key_pem"].encode(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("active-authentication key must be RSA or EC")
        aa = loaded
    offer = spec.get("pace")
    pace_offer = (str(offer["oid"]), int(offer["parameter_id"])) if offer else None
    chip = EmrtdChip(key, aa, bool(spec.get("accept_any_key", False)), pace_offer)
    if spec.get("ca"):
        ca_key = serialization.load_pem_private_key(spec["ca"]["private_key_pem"].encode(), password=None)
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise ValueError("chip-authentication key must be EC")
        chip.ca_key, chip.ca_oid = ca_key, str(spec["ca"]["oid"])
    return chip

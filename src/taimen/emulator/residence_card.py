"""The residence card's access control in the emulator: GET CHALLENGE, MUTUAL AUTHENTICATE (3DES retail MAC
or AES-CMAC), VERIFY of the card number under encryption-only SM, and SM READ BINARY for DF1.

Status words (residence-card.md §2): 6300 for a wrong number (MUTUAL AUTHENTICATE or VERIFY); 6982 for a
read before VERIFY or a plain read of an SM-only DF; 6987/6988 for a malformed SM command (core's chip side
decides which). *Assumed* where the reference is silent: no retry counter (open question 3 — a real card may
have one), 6985 for MUTUAL AUTHENTICATE without a fresh challenge, and the session dropped after an SM error.

``accept_any_number`` models a forged chip that does not know the printed number: it answers MUTUAL
AUTHENTICATE with 9000 and bytes it cannot make right, and VERIFY with 9000.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from taimen.core.apdu import Command, Response
from taimen.core.secure_messaging import ENCRYPTION_ONLY, SecureChannel, SmCommandError
from taimen.core.symmetric import SessionKeys
from taimen.emulator.card import DedicatedFile, VirtualCard
from taimen.residence.access import VERIFY_P2, base_key, card_answer, cipher_for

NUMBER_KEY_FID = 0x0086  # an MF key reference holding the card number (the emulator's own convention)
NUMBER_RULE = (("MF:0086",),)


@dataclass
class ResidenceAccess:
    generation: int
    sm_aids: tuple[bytes, ...]
    accept_any_number: bool = False
    _session: int = field(default=-1, repr=False)
    _rnd_icc: bytes | None = field(default=None, repr=False)
    _channel: SecureChannel | None = field(default=None, repr=False)

    def _sync(self, card: VirtualCard) -> None:
        if self._session != card.session:
            self._session, self._rnd_icc, self._channel = card.session, None, None

    def _number(self, card: VirtualCard) -> bytes:
        return card.mf.keys[NUMBER_KEY_FID].value

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        self._sync(card)
        if c.cla == 0x00 and c.ins == 0x84:
            if c.le != 8:
                return Response(b"", 0x6700)
            self._rnd_icc = os.urandom(8)
            return Response(self._rnd_icc, 0x9000)
        if c.cla == 0x00 and c.ins == 0x82:
            return self._mutual_authenticate(card, c)
        if c.cla & 0x0C:  # any SM class: core decides (0C, header-authenticated SM, is not this card's: 6987)
            return self._secured(card, df, c)
        if c.cla == 0x00 and c.ins == 0xB0 and df.aid in self.sm_aids:
            return Response(b"", 0x6982)  # DF1 is readable only under SM
        return None

    def _mutual_authenticate(self, card: VirtualCard, c: Command) -> Response:
        rnd_icc, self._rnd_icc, self._channel = self._rnd_icc, None, None
        card.verified.discard((id(card.mf), NUMBER_KEY_FID))
        if rnd_icc is None:
            return Response(b"", 0x6985)
        cipher = cipher_for(self.generation)
        answer, ks = card_answer(base_key(self._number(card).decode("ascii")), cipher, c.data, rnd_icc, os.urandom(16))
        if ks is None:
            if self.accept_any_number and answer.sw == 0x6300:
                return Response(os.urandom(40), 0x9000)
            return answer
        self._channel = SecureChannel(SessionKeys(cipher.algorithm, ks, ks), ENCRYPTION_ONLY)
        return answer

    def _secured(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response:
        channel = self._channel
        if channel is None:
            return Response(b"", 0x6982)
        try:
            plain = channel.card_unprotect(c)
        except SmCommandError as exc:
            self._channel = None
            card.verified.discard((id(card.mf), NUMBER_KEY_FID))
            return Response(b"", exc.sw)
        if plain.ins == 0x20 and plain.p2 == VERIFY_P2:
            if self.accept_any_number or plain.data == self._number(card):
                card.verified.add((id(card.mf), NUMBER_KEY_FID))
                return Response(b"", 0x9000)
            return Response(b"", 0x6300)
        if plain.ins == 0xB0:
            if (id(card.mf), NUMBER_KEY_FID) not in card.verified:
                return Response(b"", 0x6982)
            answer = card._read_binary(plain)
            if answer.sw in (0x9000, 0x6282) and answer.data:
                return channel.card_protect(answer)
            return answer
        return Response(b"", 0x6D00)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "residence-access",
            "generation": self.generation,
            "sm_aids": [a.hex().upper() for a in self.sm_aids],
            "accept_any_number": self.accept_any_number,
        }


def from_json(spec: dict[str, Any]) -> ResidenceAccess:
    """The ``residence-access`` behaviour of a card image (registered in ``behaviours.REGISTRY``)."""
    gen = spec.get("generation")
    if gen not in (1, 2):
        raise ValueError("residence-access: generation must be 1 or 2")
    return ResidenceAccess(
        gen, tuple(bytes.fromhex(a) for a in spec.get("sm_aids", [])), bool(spec.get("accept_any_number", False))
    )


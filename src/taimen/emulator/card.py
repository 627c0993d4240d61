"""An ISO 7816-4 card emulator: MF/DF/EF tree, SELECT, READ BINARY, VERIFY with retry counters.

Status words follow ISO 7816-4 and what the reference notes record for the Japanese cards. Card types plug
in behaviour (signatures on challenge, secure messaging…) through ``Behaviour`` objects. The emulator is a
test instrument, not the truth: where a reference and this emulator disagree, the reference wins.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from taimen.core.apdu import Command, Response
from taimen.emulator.link import LinkMeter, LinkModel
from taimen.errors import ParseError

#: A common contactless ATR shape as synthesised by PC/SC readers for Type B cards.
DEFAULT_ATR = bytes.fromhex("3B8880010000000000718100000000")  # placeholder; card images set their own


@dataclass
class KeyRef:
    """A key EF (IEF) holding a PIN, 照合番号 or similar reference data, with its retry counter."""

    fid: int
    value: bytes
    tries_left: int
    max_tries: int
    sfi: int | None = None
    name: str = ""
    #: What the non-consuming query (VERIFY without data) answers once the key is verified: "9000", or
    #: "63Cx" (the tries left, as if not verified: real JPKI cards, OpenSC PR #959).
    query_after_verify: str = "9000"


QUERY_AFTER_VERIFY = ("9000", "63Cx")


@dataclass
class ElementaryFile:
    fid: int
    data: bytes
    sfi: int | None = None
    #: Access to READ BINARY: any one of these groups of key FIDs opens it (all keys of a group needed).
    #: A key FID given as "MF:0001" lives in the MF; a bare FID lives in the EF's own DF. Empty: free.
    read: tuple[tuple[str, ...], ...] = ()
    name: str = ""


class Behaviour(Protocol):
    """Card-type behaviour: handle a command (return a response) or decline (return None)."""

    def handle(self, card: VirtualCard, df: DedicatedFile, command: Command) -> Response | None: ...


@dataclass
class DedicatedFile:
    name: str
    aid: bytes | None = None  # None: the MF
    files: dict[int, ElementaryFile] = field(default_factory=dict)
    keys: dict[int, KeyRef] = field(default_factory=dict)
    behaviours: list[Behaviour] = field(default_factory=list)
    #: Objects a behaviour may select by FID (e.g. a private-key EF before COMPUTE SIGNATURE).
    key_objects: dict[int, str] = field(default_factory=dict)

    def add_file(self, ef: ElementaryFile) -> ElementaryFile:
        self.files[ef.fid] = ef
        return ef

    def add_key(self, key: KeyRef) -> KeyRef:
        self.keys[key.fid] = key
        return key


def _sw(sw: int, data: bytes = b"") -> Response:
    return Response(data, sw)


class VirtualCard:
    """A card holding an MF and applications (DFs selected by AID)."""

    def __init__(
        self,
        mf: DedicatedFile,
        applications: Sequence[DedicatedFile] = (),
        *,
        atr: bytes = DEFAULT_ATR,
        extended_length: bool = True,
        max_response: int = 65536,
        link: LinkModel | None = None,
        realtime: bool = False,
        card_type: str = "generic",
        behaviours: Sequence[Behaviour] = (),
        description: str = "",
        sample: dict[str, Any] | None = None,
        warm_reset_keeps_security: bool = False,
    ) -> None:
        self.mf = mf
        self.applications = list(applications)
        self.atr = atr
        self.extended_length = extended_length
        self.max_response = max_response
        self.meter = LinkMeter(link or LinkModel())
        self.realtime = realtime
        self.card_type = card_type
        self.behaviours = list(behaviours)
        #: Card-image metadata, kept so that load → save gives the image back (docs/card-image.md).
        self.description = description
        self.sample = sample
        #: A warm reset keeps what was verified (real cards: only losing power clears the security state).
        self.warm_reset_keeps_security = warm_reset_keeps_security
        self.present = True
        self.powered = False
        #: Commands processed since the last power-up or reset (behaviours may act on the first one).
        self.since_power_on = 0
        self.log: list[tuple[bytes, bytes]] | None = None  # set to [] to record exchanges in tests
        self._reset_state()

    # --- power and presence ---------------------------------------------------------------------------

    def _reset_state(self) -> None:
        #: Changes at every power-on/reset: behaviours drop session state (SM keys, challenges) when it does.
        self.session = getattr(self, "session", 0) + 1
        self.current_df: DedicatedFile = self.mf
        self.current_ef: ElementaryFile | KeyRef | None = None
        self.current_key_object: int | None = None
        self.verified: set[tuple[int, int]] = set()

    def power_on(self) -> bytes:
        self.powered = True
        self.since_power_on = 0
        self._reset_state()
        return self.atr

    def power_off(self) -> None:
        self.powered = False
        self._reset_state()

    def reset(self) -> bytes:
        """Warm reset: the application selection is dropped; the security state too unless the card keeps it."""
        kept = set(self.verified) if self.warm_reset_keeps_security and self.powered else set()
        atr = self.power_on()
        self.verified = kept
        return atr

    def remove(self) -> None:
        self.present = False
        self.power_off()

    def insert(self) -> None:
        self.present = True

    # --- security state -------------------------------------------------------------------------------

    def is_verified(self, df: DedicatedFile, fid: int) -> bool:
        return (id(df), fid) in self.verified

    def _resolve(self, df: DedicatedFile, ref: str) -> tuple[DedicatedFile, int]:
        if ref.startswith("MF:"):
            return self.mf, int(ref[3:], 16)
        return df, int(ref, 16)

    def may_read(self, df: DedicatedFile, ef: ElementaryFile) -> bool:
        if not ef.read:
            return True
        return any(all(self.is_verified(*self._resolve(df, ref)) for ref in group) for group in ef.read)

    # --- dispatch -------------------------------------------------------------------------------------

    def execute(self, raw: bytes) -> bytes:
        """Process one command APDU (bytes) and return the response APDU (bytes)."""
        try:
            command = Command.from_bytes(raw)
        except (ParseError, ValueError):
            answer = _sw(0x6700).to_bytes()
        else:
            answer = self.process(command).to_bytes()
        self.since_power_on += 1
        t = self.meter.record(len(raw), len(answer))
        if self.realtime:
            time.sleep(t)
        if self.log is not None:
            self.log.append((bytes(raw), answer))
        return answer

    def process(self, command: Command) -> Response:
        if command.extended and not self.extended_length:
            return _sw(0x6700)
        for behaviour in (*self.behaviours, *self.current_df.behaviours):
            answer = behaviour.handle(self, self.current_df, command)
            if answer is not None:
                return answer
        if command.cla not in (0x00, 0x80):
            return _sw(0x6E00)
        if command.cla == 0x00:
            if command.ins == 0xA4:
                return self._select(command)
            if command.ins == 0xB0:
                return self._read_binary(command)
            if command.ins == 0x20:
                return self._verify(command)
            if command.ins == 0x84:
                return self._get_challenge(command)
        return _sw(0x6D00)

    # --- SELECT ---------------------------------------------------------------------------------------

    def _select(self, c: Command) -> Response:
        if c.p2 not in (0x00, 0x0C):
            return _sw(0x6A86)
        if c.p1 == 0x04:
            for app in self.applications:
                if app.aid == c.data:
                    self._enter(app)
                    return _sw(0x9000)
            return _sw(0x6A82)
        if c.p1 == 0x00:
            if not c.data or c.data == b"\x3f\x00":
                self._enter(self.mf)
                return _sw(0x9000)
            if len(c.data) != 2:
                return _sw(0x6700)
            return self._select_fid(int.from_bytes(c.data, "big"))
        if c.p1 == 0x02:
            if len(c.data) != 2:
                return _sw(0x6700)
            return self._select_fid(int.from_bytes(c.data, "big"))
        return _sw(0x6A86)

    def _enter(self, df: DedicatedFile) -> None:
        # Leaving an application drops what was verified in it; MF keys (licence PINs) stay valid.
        keep = {id(self.mf), id(df)}
        self.verified = {v for v in self.verified if v[0] in keep}
        self.current_df = df
        self.current_ef = None
        self.current_key_object = None

    def _select_fid(self, fid: int) -> Response:
        df = self.current_df
        if fid in df.files:
            self.current_ef = df.files[fid]
        elif fid in df.keys:
            self.current_ef = df.keys[fid]
        elif fid in df.key_objects:
            self.current_ef = None
            self.current_key_object = fid
            return _sw(0x9000)
        else:
            return _sw(0x6A82)
        self.current_key_object = None
        return _sw(0x9000)

    # --- READ BINARY ----------------------------------------------------------------------------------

    def _read_binary(self, c: Command) -> Response:
        if c.data:
            return _sw(0x6700)
        if c.p1 & 0x80:
            if c.p1 & 0x60:
                return _sw(0x6A86)
            sfi = c.p1 & 0x1F
            ef = next((f for f in self.current_df.files.values() if f.sfi == sfi), None)
            if ef is None:
                return _sw(0x6A82)
            offset = c.p2
            self.current_ef = ef
        else:
            cur = self.current_ef
            if cur is None:
                return _sw(0x6986)
            if isinstance(cur, KeyRef):
                return _sw(0x6981)
            ef = cur
            offset = (c.p1 << 8) | c.p2
        if not self.may_read(self.current_df, ef):
            return _sw(0x6982)
        size = len(ef.data)
        if (offset >= size and size > 0) or offset > size:
            return _sw(0x6B00)
        le = c.le if c.le is not None else 256
        wildcard = le == (65536 if c.extended else 256)
        n = min(le, size - offset, self.max_response)
        chunk = ef.data[offset : offset + n]
        if n < le and not wildcard and offset + n == size:
            return _sw(0x6282, chunk)  # the end of the file came before Le bytes
        return _sw(0x9000, chunk)  # all asked for, all up to the end (wildcard Le), or a capped response

    # --- VERIFY ---------------------------------------------------------------------------------------

    def _key_for_verify(self, p2: int) -> KeyRef | None:
        if p2 == 0x80:
            return self.current_ef if isinstance(self.current_ef, KeyRef) else None
        if 0x81 <= p2 <= 0x9E:
            sfi = p2 & 0x1F
            return next((k for k in self.current_df.keys.values() if k.sfi == sfi), None)
        return None

    def _verify(self, c: Command) -> Response:
        if c.p1 != 0x00:
            return _sw(0x6A86)
        key = self._key_for_verify(c.p2)
        if key is None:
            return _sw(0x6A88)
        ident = (id(self.current_df), key.fid)
        if not c.data:
            if key.tries_left == 0:
                return _sw(0x63C0)
            if ident in self.verified and key.query_after_verify == "9000":
                return _sw(0x9000)
            return _sw(0x63C0 | min(key.tries_left, 15))
        if key.tries_left == 0:
            return _sw(0x6984)
        if hmac.compare_digest(c.data, key.value):
            key.tries_left = key.max_tries
            self.verified.add(ident)
            return _sw(0x9000)
        key.tries_left -= 1
        self.verified.discard(ident)
        return _sw(0x63C0 | min(key.tries_left, 15))

    def _get_challenge(self, c: Command) -> Response:
        n = c.le or 8
        if n > 256:
            return _sw(0x6700)
        return _sw(0x9000, os.urandom(n))

"""PC/SC transport over pyscard's low-level ``smartcard.scard`` API (so every PC/SC return code is visible).

Error mapping, because the conversation layer decides by exception type:

- card gone (SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD, reset, unpowered, mute) → ``CardRemovedError``;
- service or reader gone (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, invalid handle after a pcscd restart,
  reader unavailable) → ``TransportError``;
- a link failure (SCARD_E_NOT_TRANSACTED 0x80100016 and the like) on an *extended* command while the card is
  still there → ``ExtendedLengthUnsupported`` (a short-APDU-only reader such as the ACR122U refuses it in the
  driver); on a short command it is a card that left the field (pcscd notices a removal a poll later, so we
  look again for a moment) or else a ``TransportError``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from taimen.core.apdu import Command, Response
from taimen.errors import (
    AnswerTooLong,
    CardRemovedError,
    ExtendedLengthUnsupported,
    OperatorInputError,
    TransportError,
)

try:
    from smartcard import scard
except ImportError:  # pragma: no cover - pyscard is an optional dependency
    scard = None

MASK = 0xFFFFFFFF
S_SUCCESS = 0x00000000
E_INSUFFICIENT_BUFFER = 0x80100008
E_UNKNOWN_READER = 0x80100009
E_TIMEOUT = 0x8010000A
E_SHARING_VIOLATION = 0x8010000B
E_NO_SMARTCARD = 0x8010000C
E_PROTO_MISMATCH = 0x8010000F
E_INVALID_HANDLE = 0x80100003
E_COMM_ERROR = 0x80100013
E_NOT_TRANSACTED = 0x80100016
E_READER_UNAVAILABLE = 0x80100017
E_NO_SERVICE = 0x8010001D
E_SERVICE_STOPPED = 0x8010001E
E_NO_READERS_AVAILABLE = 0x8010002E
E_COMM_DATA_LOST = 0x8010002F
F_UNKNOWN_ERROR = 0x80100014
W_UNRESPONSIVE_CARD = 0x80100066
W_UNPOWERED_CARD = 0x80100067
W_RESET_CARD = 0x80100068
W_REMOVED_CARD = 0x80100069

CARD_GONE = frozenset({W_REMOVED_CARD, E_NO_SMARTCARD, W_RESET_CARD, W_UNPOWERED_CARD, W_UNRESPONSIVE_CARD})
#: SCARD_F_COMM_ERROR is pcsc-lite's "RPC transport error": the client lost its socket to pcscd.
SERVICE_GONE = frozenset(
    {
        E_NO_SERVICE,
        E_SERVICE_STOPPED,
        E_INVALID_HANDLE,
        E_READER_UNAVAILABLE,
        E_UNKNOWN_READER,
        E_NO_READERS_AVAILABLE,
        E_COMM_ERROR,
    }
)

#: GET RESPONSE rounds after 61xx: enough for a 64 KiB answer in 256-byte pieces.
MAX_GET_RESPONSE = 260
MAX_RESPONSE = 65536 + 2

MSG_NO_PYSCARD_JA = "pyscard がインストールされていません。pip install 'taimen[pcsc]' を実行してください。"
MSG_NO_SERVICE_JA = (
    "PC/SC サービス（pcscd）が動いていません。sudo systemctl start pcscd で起動してから、もう一度お試しください。"
)
MSG_NO_READER_JA = "カードリーダーが見つかりません。リーダーを USB で接続してから、もう一度お試しください。"
MSG_NO_CARD_JA = "リーダーにカードが置かれていません。カードを置いてから、もう一度読み取ってください。"
MSG_MUTE_JA = (
    "カードが応答しません。カードを置き直してください。続く場合は、リーダーが ISO 14443 Type B に対応しているか"
    "確認してください。"
)
MSG_BUSY_JA = "カードを別のアプリが使用中です。そのアプリを閉じてから、もう一度読み取ってください。"
MSG_LINK_JA = "カードとの通信に失敗しました。カードを置き直して、もう一度読み取ってください。"
MSG_SERVICE_LOST_JA = (
    "カードリーダーまたは PC/SC サービスとの接続が切れました。リーダーを確認して、もう一度読み取ってください。"
)


def _code(hresult: int) -> int:
    return hresult & MASK


def describe(code: int) -> str:
    """English text of a PC/SC return code, with its hex value."""
    text = ""
    if scard is not None:
        try:
            text = scard.SCardGetErrorMessage(code)
        except Exception:
            text = ""
    return f"{text.strip() or 'PC/SC error'} (0x{code:08X})"


def _require_scard() -> Any:
    if scard is None:
        raise TransportError("pyscard is not installed", message_ja=MSG_NO_PYSCARD_JA)
    return scard


def establish_context() -> int:
    """A fresh PC/SC context; TransportError with a what-to-do message when pcscd is not there."""
    sc = _require_scard()
    hresult, context = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
    code = _code(hresult)
    if code != S_SUCCESS:
        raise TransportError(f"cannot reach the PC/SC service: {describe(code)}", message_ja=MSG_NO_SERVICE_JA)
    return int(context)


def release_context(context: int) -> None:
    if scard is not None:
        scard.SCardReleaseContext(context)


def list_readers(context: int) -> list[str]:
    sc = _require_scard()
    hresult, names = sc.SCardListReaders(context, [])
    code = _code(hresult)
    if code in (E_NO_READERS_AVAILABLE,) or (code == S_SUCCESS and not names):
        return []
    if code != S_SUCCESS:
        raise TransportError(f"cannot list readers: {describe(code)}", message_ja=MSG_NO_SERVICE_JA)
    return list(names)


def readers() -> list[str]:
    """Names of the PC/SC readers pcscd knows now."""
    context = establish_context()
    try:
        return list_readers(context)
    finally:
        release_context(context)


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    name: str
    card_present: bool
    atr: bytes
    #: Another application holds the card (exclusive) or shares it (in use).
    in_use: bool = False
    mute: bool = False


def reader_status(context: int | None = None) -> list[ReaderStatus]:
    """Every reader with whether a card is in it and its ATR (no connection is made)."""
    sc = _require_scard()
    own = context is None
    ctx = establish_context() if context is None else context
    try:
        names = list_readers(ctx)
        if not names:
            return []
        hresult, states = sc.SCardGetStatusChange(ctx, 0, [(n, sc.SCARD_STATE_UNAWARE) for n in names])
        code = _code(hresult)
        if code not in (S_SUCCESS, E_TIMEOUT):
            raise TransportError(f"cannot read reader states: {describe(code)}", message_ja=MSG_SERVICE_LOST_JA)
        out = []
        for name, event, atr in states:
            present = bool(event & sc.SCARD_STATE_PRESENT)
            out.append(
                ReaderStatus(
                    name,
                    present,
                    bytes(atr) if present else b"",
                    in_use=bool(event & (sc.SCARD_STATE_EXCLUSIVE | sc.SCARD_STATE_INUSE)),
                    mute=bool(event & sc.SCARD_STATE_MUTE),
                )
            )
        return out
    finally:
        if own:
            release_context(ctx)


def choose_reader(names: list[str], name_part: str | None, present: set[str] | None = None) -> str:
    """Pick a reader: exact name, else the unique case-insensitive substring match.

    Without ``name_part`` a single reader is taken; among several, the single one holding a card.
    """
    if not names:
        raise TransportError("no PC/SC reader is connected", message_ja=MSG_NO_READER_JA)
    listing = "、".join(names)
    if name_part:
        if name_part in names:
            return name_part
        hits = [n for n in names if name_part.casefold() in n.casefold()]
        if not hits:
            raise OperatorInputError(
                f"no reader matches {name_part!r}; readers: {', '.join(names)}",
                message_ja=f"「{name_part}」に一致するカードリーダーがありません。接続中のリーダー: {listing}",
            )
        if len(hits) > 1:
            raise OperatorInputError(
                f"{name_part!r} matches several readers: {', '.join(hits)}",
                message_ja=f"「{name_part}」に一致するリーダーが複数あります（{'、'.join(hits)}）。"
                "名前をもっと詳しく指定してください。",
            )
        return hits[0]
    if len(names) == 1:
        return names[0]
    with_card = [n for n in names if present and n in present]
    if len(with_card) == 1:
        return with_card[0]
    raise OperatorInputError(
        f"several readers are connected, choose one with --reader: {', '.join(names)}",
        message_ja=f"カードリーダーが複数あります。--reader で指定してください: {listing}",
    )


CardState = Literal["present", "gone", "service"]


#: Every reader carries answers this long; a lost longer answer may fit in smaller pieces (files.py steps down).
SAFE_ANSWER = 64


def map_failure(code: int, *, extended: bool, card: CardState, expected_answer: int = 0) -> TransportError:
    """The exception for a failed transmit, from the return code and what a status probe then showed.

    ``expected_answer``: the data bytes the short command asked for (its Le).
    """
    what = describe(code)
    if code in CARD_GONE or card == "gone":
        return CardRemovedError(f"the card left the reader: {what}")
    if code in SERVICE_GONE or card == "service":
        return TransportError(f"reader or PC/SC service lost: {what}", message_ja=MSG_SERVICE_LOST_JA)
    if extended:
        return ExtendedLengthUnsupported(f"the reader refused an extended-length APDU: {what}")
    if expected_answer > SAFE_ANSWER:
        return AnswerTooLong(f"the reader lost a {expected_answer}-byte answer: {what}")
    return TransportError(f"reader link failed: {what}", message_ja=MSG_LINK_JA)


class PcscTransport:
    """A connection to the card in one PC/SC reader (exclusive; T=1 preferred, T=0 accepted).

    Real-card robustness: a card another program left in RAW protocol is recovered (``_recover_protocol``);
    a first SELECT after power-up answered 6F00 is sent again once; ``close`` unpowers the card.
    """

    readers = staticmethod(readers)

    def __init__(self, reader: str, *, context: int | None = None, removal_probe: float = 1.0) -> None:
        self._sc = _require_scard()
        self.name = reader
        self.removal_probe = removal_probe
        self._own_context = context is None
        self._context = establish_context() if context is None else context
        self._card: int | None = None
        self.protocol = 0
        self.atr = b""
        #: No APDU was sent since this connection powered or reset the card.
        self._fresh = False
        self.exchanges = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        self.seconds = 0.0
        try:
            self._connect()
        except BaseException:
            self._release()
            raise

    @classmethod
    def open(cls, name_part: str | None = None) -> PcscTransport:
        """Connect to the card in the reader whose name contains ``name_part`` (see ``choose_reader``)."""
        context = establish_context()
        try:
            names = list_readers(context)
            present = {s.name for s in reader_status(context) if s.card_present} if names else set()
            name = choose_reader(names, name_part, present)
            transport = cls(name, context=context)
        except BaseException:
            release_context(context)
            raise
        transport._own_context = True
        return transport

    # --- connection -------------------------------------------------------------------------------------

    def _connect(self) -> None:
        sc = self._sc
        code = S_SUCCESS
        for protocol in (sc.SCARD_PROTOCOL_T1, sc.SCARD_PROTOCOL_T0):
            hresult, card, active = sc.SCardConnect(self._context, self.name, sc.SCARD_SHARE_EXCLUSIVE, protocol)
            code = _code(hresult)
            if code == S_SUCCESS:
                self._card, self.protocol = card, int(active)
                break
            if code != E_PROTO_MISMATCH:
                break
        if self._card is None and code == E_PROTO_MISMATCH:
            code = self._recover_protocol()
        if self._card is None:
            raise self._connect_error(code)
        self._fresh = True
        hresult, _reader, _state, _proto, atr = sc.SCardStatus(self._card)
        if _code(hresult) == S_SUCCESS:
            self.atr = bytes(atr)

    def _recover_protocol(self) -> int:
        """Another program left the card in RAW protocol, so pcscd refuses T=1 and T=0 (SCARD_E_PROTO_MISMATCH)
        until the card is reset. Connect without a protocol (SCARD_SHARE_DIRECT), then reconnect exclusively
        with T=1|T=0 and a reset, which clears the protocol. Returns the PC/SC code of the last step."""
        sc = self._sc
        hresult, card, _active = sc.SCardConnect(self._context, self.name, sc.SCARD_SHARE_DIRECT, 0)
        code = _code(hresult)
        if code != S_SUCCESS:
            return code
        hresult, active = sc.SCardReconnect(
            card, sc.SCARD_SHARE_EXCLUSIVE, sc.SCARD_PROTOCOL_T1 | sc.SCARD_PROTOCOL_T0, sc.SCARD_RESET_CARD
        )
        code = _code(hresult)
        if code != S_SUCCESS:
            sc.SCardDisconnect(card, sc.SCARD_LEAVE_CARD)
            return code
        self._card, self.protocol = card, int(active)
        return S_SUCCESS

    def _connect_error(self, code: int) -> TransportError:
        what = f"cannot connect to the card in {self.name!r}: {describe(code)}"
        if code in (E_NO_SMARTCARD, W_REMOVED_CARD):
            return TransportError(what, message_ja=MSG_NO_CARD_JA)
        if code in CARD_GONE:
            return TransportError(what, message_ja=MSG_MUTE_JA)
        if code == E_SHARING_VIOLATION:
            return TransportError(what, message_ja=MSG_BUSY_JA)
        if code in (E_UNKNOWN_READER, E_READER_UNAVAILABLE):
            return TransportError(what, message_ja=MSG_NO_READER_JA)
        if code in SERVICE_GONE:
            return TransportError(what, message_ja=MSG_NO_SERVICE_JA)
        return TransportError(what, message_ja=MSG_LINK_JA)

    def reconnect(self) -> None:
        """Connect again (after the card was put back): the old handle is dropped."""
        self._disconnect(self._sc.SCARD_LEAVE_CARD)
        self._connect()

    @property
    def is_t0(self) -> bool:
        return self.protocol == self._sc.SCARD_PROTOCOL_T0

    # --- exchanges --------------------------------------------------------------------------------------

    def _wire(self, raw: bytes, extended: bool, expected_answer: int = 0) -> Response:
        if self._card is None:
            raise TransportError("the connection is closed", message_ja=MSG_LINK_JA)
        sc = self._sc
        pci = sc.SCARD_PCI_T0 if self.is_t0 else sc.SCARD_PCI_T1
        start = time.perf_counter()
        hresult, answer = sc.SCardTransmit(self._card, pci, list(raw))
        self.seconds += time.perf_counter() - start
        code = _code(hresult)
        if code == S_SUCCESS and len(answer) >= 2:
            self.exchanges += 1
            self.bytes_sent += len(raw)
            self.bytes_received += len(answer)
            return Response.from_bytes(bytes(answer))
        if code == S_SUCCESS:
            code = E_COMM_DATA_LOST  # an answer without a status word: the link lost it
        if code in CARD_GONE or code in SERVICE_GONE:
            raise map_failure(code, extended=extended, card="present")
        card = self._probe(0.0 if extended else self.removal_probe)
        raise map_failure(code, extended=extended, card=card, expected_answer=expected_answer)

    def _probe(self, wait: float) -> CardState:
        """Is the card still there? pcscd learns of a removal on its next poll, so look for up to ``wait`` s."""
        deadline = time.monotonic() + wait
        while True:
            hresult, *_ = self._sc.SCardStatus(self._card)
            code = _code(hresult)
            if code in CARD_GONE:
                return "gone"
            if code != S_SUCCESS:
                return "service"
            if time.monotonic() >= deadline:
                return "present"
            time.sleep(0.05)

    def transmit(self, command: Command) -> Response:
        fresh, self._fresh = self._fresh, False
        response = self._transmit(command, resend_allowed=True)
        if fresh and response.sw == 0x6F00 and command.ins == 0xA4 and not command.secret:
            # Some cards answer the first APDU after power-up with 6F00 (soltia48/myna-card sends a throwaway
            # SELECT for this). A SELECT changes nothing that a second one would not: send it again, once.
            response = self._transmit(command, resend_allowed=True)
        return response

    def _transmit(self, command: Command, *, resend_allowed: bool) -> Response:
        if command.extended and self.is_t0:
            # T=0 carries extended APDUs only inside ENVELOPE, which the cards here do not offer.
            raise ExtendedLengthUnsupported("extended-length APDUs cannot be sent over T=0")
        raw = command.to_bytes()
        response = self._wire(raw, command.extended, 0 if command.extended else (command.le or 0))
        data = b""
        rounds = 0
        while response.sw1 == 0x61 and rounds < MAX_GET_RESPONSE:
            # T=0 style "more data available": fetch it with GET RESPONSE on the same logical channel.
            data += response.data
            if len(data) > MAX_RESPONSE:
                raise TransportError("response longer than 64 KiB", message_ja=MSG_LINK_JA)
            rounds += 1
            get_response = bytes((command.cla & 0x03, 0xC0, 0x00, 0x00, response.sw2))
            response = self._wire(get_response, False)
        if response.sw1 == 0x6C and resend_allowed and command.case == 2 and not command.secret and not data:
            # Wrong Le: the card says how many bytes it has; ask again for exactly that.
            retry = Command(
                command.cla, command.ins, command.p1, command.p2, le=response.sw2 or 256, label=command.label
            )
            return self._transmit(retry, resend_allowed=False)
        return Response(data + response.data, response.sw) if data else response

    # --- closing ----------------------------------------------------------------------------------------

    def _disconnect(self, disposition: int) -> None:
        card, self._card = self._card, None
        if card is not None:
            self._sc.SCardDisconnect(card, disposition)

    def _release(self) -> None:
        if self._own_context and self._context:
            release_context(self._context)
        self._context = 0

    def close(self) -> None:
        """Disconnect and take the card's power away, so nothing unlocked during the read stays unlocked.

        A warm reset (SCARD_RESET_CARD) does not clear a card's security status; only unpowering does.
        """
        try:
            self._disconnect(self._sc.SCARD_UNPOWER_CARD)
        finally:
            self._release()

    def __enter__(self) -> PcscTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

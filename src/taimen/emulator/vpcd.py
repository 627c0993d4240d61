"""Serve a ``VirtualCard`` to pcscd through vsmartcard's vpcd reader driver.

vpcd (the pcscd IFD handler from vsmartcard) listens on TCP port 35963 + slot; the card side connects to it.
Every message in both directions is a 2-byte big-endian length and a payload. A 1-byte payload is a control
code (00 power off, 01 power on, 02 reset, 04 get ATR; only the ATR gets an answer); anything else is a
command APDU answered with the response APDU. A card is "in the field" while the socket is connected: closing
it is how a card leaves the reader, reconnecting is how it comes back.

Latency: Debian's vpcd 3.3 writes the length and the APDU as two TCP segments. Nagle on its side plus delayed
ACK on ours then costs ~40 ms per APDU, so we re-arm TCP_QUICKACK before every receive (the kernel clears it)
and set TCP_NODELAY for our own replies.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable

from taimen.emulator.card import VirtualCard

log = logging.getLogger(__name__)

VPCD_PORT = 35963
VPCD_FRIENDLY_NAME = "Virtual PCD"

#: Largest payload of one frame (2-byte length), in both directions.
MAX_FRAME = 0xFFFF

CTRL_OFF = 0x00
CTRL_ON = 0x01
CTRL_RESET = 0x02
CTRL_ATR = 0x04

#: Answer to a command the card emulator crashed on: "no precise diagnosis", so the reader stays usable.
SW_INTERNAL_ERROR = b"\x6f\x00"


def reader_name_for_port(port: int, friendly_name: str = VPCD_FRIENDLY_NAME) -> str:
    """The PC/SC reader name pcscd gives a vpcd slot with Debian's reader.conf (one reader, slot = port-35963)."""
    slot = port - VPCD_PORT
    if not 0 <= slot <= 0xFF:
        raise ValueError(f"port {port} is not a vpcd slot of the default reader.conf")
    return f"{friendly_name} 00 {slot:02X}"


class _Closed(Exception):
    """The socket closed (vpcd went away or we removed the card)."""


class VpcdBridge:
    """Connects ``card`` to vpcd and answers pcscd's requests.

    ``start()`` serves from a daemon thread, ``run()`` in the foreground until ``stop()``. ``remove()`` takes
    the card out of the field (socket closed, pcscd sees an empty reader) and ``insert()`` puts it back. If
    vpcd is not listening yet (pcscd starting or restarting) the bridge retries with backoff.
    """

    def __init__(
        self,
        card: VirtualCard,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        *,
        quickack: bool = True,
        on_event: Callable[[str], None] | None = None,
        max_backoff: float = 0.5,
        after_exchange: Callable[[bytes, bytes], bool] | None = None,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.quickack = quickack
        self.on_event = on_event
        self.max_backoff = max_backoff
        #: Called in the serving thread after each answer is sent; True takes the card out of the field before
        #: the next command is served (the demo's "pull during the read", deterministic under any load).
        self.after_exchange = after_exchange
        self.apdus = 0
        self.controls = 0
        self.connections = 0
        self.errors: list[BaseException] = []
        self._inserted = True
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._connected = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def reader_name(self) -> str:
        return reader_name_for_port(self.port)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # --- life cycle -------------------------------------------------------------------------------------

    def start(self) -> VpcdBridge:
        if self._thread is not None:
            raise RuntimeError("bridge already started")
        self._thread = threading.Thread(target=self.run, name=f"vpcd-bridge-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._drop_socket()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> VpcdBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def remove(self) -> None:
        """The card leaves the field: close the connection so pcscd finds the reader empty."""
        self._inserted = False
        self.card.remove()
        self._drop_socket()

    def insert(self) -> None:
        """The card comes back: reconnect to vpcd (pcscd powers it up again)."""
        self.card.insert()
        self._inserted = True
        self._wake.set()

    # --- serving ----------------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until ``stop()``: connect (with backoff), answer requests, reconnect when the link drops."""
        backoff = 0.02
        while not self._stop.is_set():
            if not self._inserted:
                self._wake.wait(0.5)
                self._wake.clear()
                continue
            sock = self._connect()
            if sock is None:
                self._wake.wait(backoff)
                self._wake.clear()
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 0.02
            try:
                self._serve(sock)
            except _Closed:
                pass
            except OSError as exc:
                log.debug("vpcd link on port %d dropped: %s", self.port, exc)
            except Exception as exc:  # a bug here must not end the bridge: drop the link, record it, reconnect
                log.exception("vpcd bridge on port %d failed", self.port)
                self.errors.append(exc)
            finally:
                self._connected.clear()
                self._drop_socket()
                self.card.power_off()
                self._emit("disconnected")

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=2.0)
        except OSError:
            return None
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._stop.is_set() or not self._inserted:
                sock.close()
                return None
            self._sock = sock
        self.connections += 1
        self._connected.set()
        self._emit("connected")
        return sock

    def _drop_socket(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes:
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            if self.quickack:
                # Cleared by the kernel after use: re-arm so vpcd's second segment is ACKed at once.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            k = sock.recv_into(view[got:], n - got)
            if k == 0:
                raise _Closed
            got += k
        return bytes(buf)

    def _send_frame(self, sock: socket.socket, payload: bytes) -> None:
        if len(payload) > MAX_FRAME:
            raise ValueError("vpcd frames carry at most 65535 bytes")
        sock.sendall(len(payload).to_bytes(2, "big") + payload)

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            length = int.from_bytes(self._recv_exact(sock, 2), "big")
            payload = self._recv_exact(sock, length) if length else b""
            if len(payload) == 1:
                self.controls += 1
                self._control(sock, payload[0])
            elif payload:
                self.apdus += 1
                answer = self._execute(payload)
                self._send_frame(sock, answer)
                if self.after_exchange is not None and self.after_exchange(payload, answer):
                    self.remove()
                    raise _Closed

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == CTRL_ATR:
            self._send_frame(sock, self.card.atr)
        elif code == CTRL_ON:
            self.card.power_on()
        elif code == CTRL_RESET:
            self.card.reset()
        elif code == CTRL_OFF:
            self.card.power_off()
        else:
            log.warning("vpcd sent unknown control code %02X", code)

    def _execute(self, apdu: bytes) -> bytes:
        try:
            answer = self.card.execute(apdu)
        except Exception as exc:  # the emulator is a test instrument: keep the link up and record the bug
            log.exception("card emulator failed on %s", apdu[:4].hex())
            self.errors.append(exc)
            return SW_INTERNAL_ERROR
        if len(answer) > MAX_FRAME:
            # vpcd's 2-byte length cannot carry it (at most 65533 data bytes and the status word).
            self.errors.append(ValueError(f"response of {len(answer)} bytes does not fit a vpcd frame"))
            return SW_INTERNAL_ERROR
        return answer

    def _emit(self, what: str) -> None:
        if self.on_event is not None:
            try:
                self.on_event(what)
            except Exception:
                log.exception("bridge event callback failed")

"""VpcdBridge framing against a loopback peer speaking vpcd's protocol (cases real vpcd rarely produces)."""

from __future__ import annotations

import socket
import time

import pytest

from taimen.emulator.card import DedicatedFile, VirtualCard
from taimen.emulator.vpcd import VpcdBridge, reader_name_for_port

AID = bytes.fromhex("F000000001")


def make_card() -> VirtualCard:
    return VirtualCard(DedicatedFile("MF"), [DedicatedFile("app", aid=AID)], atr=bytes.fromhex("3B00"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeVpcd:
    """The vpcd side: listens, accepts the card, sends frames (optionally a byte at a time)."""

    def __init__(self, port: int) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(5)
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.conn, _ = self.server.accept()
        self.conn.settimeout(5)

    def send(self, payload: bytes, *, trickle: bool = False) -> None:
        assert self.conn is not None
        frame = len(payload).to_bytes(2, "big") + payload
        if not trickle:
            self.conn.sendall(frame)
            return
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in frame:
            self.conn.sendall(bytes((b,)))
            time.sleep(0.002)

    def recv(self) -> bytes:
        assert self.conn is not None
        head = self.conn.recv(2, socket.MSG_WAITALL)
        if len(head) < 2:
            return b""
        return self.conn.recv(int.from_bytes(head, "big"), socket.MSG_WAITALL)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


@pytest.fixture
def vpcd() -> FakeVpcd:
    peer = FakeVpcd(free_port())
    yield peer
    peer.close()


def test_reader_names_of_debian_vpcd_slots() -> None:
    assert reader_name_for_port(35963) == "Virtual PCD 00 00"
    assert reader_name_for_port(35964) == "Virtual PCD 00 01"
    with pytest.raises(ValueError):
        reader_name_for_port(80)


def test_controls_atr_and_apdus_even_when_split_into_single_bytes(vpcd: FakeVpcd) -> None:
    card = make_card()
    with VpcdBridge(card, port=vpcd.server.getsockname()[1]) as bridge:
        vpcd.accept()
        vpcd.send(b"\x01", trickle=True)  # power on: no answer
        vpcd.send(b"\x04", trickle=True)  # get ATR
        assert vpcd.recv() == card.atr
        vpcd.send(bytes.fromhex("00A4040C05") + AID, trickle=True)
        assert vpcd.recv() == b"\x90\x00"
        big = bytes.fromhex("00A4040C") + b"\x00\x10\x00" + bytes(4096)  # extended Lc 4096 (no such AID)
        vpcd.send(big, trickle=False)
        assert vpcd.recv() == b"\x6a\x82"
        vpcd.send(b"\x00")  # power off: no answer, card unpowered
        vpcd.send(b"\x04")
        assert vpcd.recv() == card.atr
        assert not card.powered
        assert (bridge.apdus, bridge.controls) == (2, 4)


def test_emulator_crash_answers_6f00_and_keeps_serving(vpcd: FakeVpcd) -> None:
    card = make_card()

    class Boom:
        def handle(self, *_: object) -> None:
            raise RuntimeError("emulator bug")

    card.behaviours.append(Boom())
    with VpcdBridge(card, port=vpcd.server.getsockname()[1]) as bridge:
        vpcd.accept()
        vpcd.send(bytes.fromhex("00A4040C05") + AID)
        assert vpcd.recv() == b"\x6f\x00"
        assert isinstance(bridge.errors[0], RuntimeError)
        vpcd.send(b"\x04")
        assert vpcd.recv() == card.atr


def test_waits_for_vpcd_then_remove_and_insert_reconnect() -> None:
    port = free_port()
    card = make_card()
    with VpcdBridge(card, port=port, max_backoff=0.1) as bridge:
        time.sleep(0.3)  # nobody listens yet: the bridge keeps retrying
        assert not bridge.connected
        peer = FakeVpcd(port)
        try:
            peer.accept()
            assert bridge.wait_connected(2)
            bridge.remove()  # the card leaves: vpcd sees the connection close
            assert peer.recv() == b""
            assert not card.present
            bridge.insert()
            peer.accept()
            peer.send(b"\x04")
            assert peer.recv() == card.atr
            assert bridge.connections == 2
        finally:
            peer.close()

"""The contactless link model: numbers worked out by hand from the documented framing."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

from taimen.emulator.image import load_card, save_card
from taimen.emulator.link import BIT_RATES, LinkMeter, LinkModel


def test_defaults() -> None:
    m = LinkModel()
    assert (m.bit_rate, m.turnaround, m.frame_size, m.frame_overhead) == (212_000, 0.004, 256, 4)
    assert BIT_RATES == (106_000, 212_000, 424_000, 848_000)


def test_one_short_exchange() -> None:
    # SELECT EF (7 bytes) answered 9000 (2 bytes): one frame each way, 4 bytes framing each, 10 bits a byte.
    t = LinkModel(bit_rate=106_000).exchange_time(7, 2)
    assert t == pytest.approx(0.004 + (7 + 4 + 2 + 4) * 10 / 106_000)


def test_chained_response() -> None:
    # READ BINARY Le=256: 5 bytes out, 258 back = two frames of at most 252 payload bytes, one extra block.
    t = LinkModel().exchange_time(5, 258)
    assert t == pytest.approx(0.004 + (5 + 4 + 258 + 2 * 4) * 10 / 212_000 + 1 * 0.0005)


def test_extended_read_of_a_3kb_file() -> None:
    received = 3077 + 2
    frames = math.ceil(received / 252)
    assert frames == 13
    t = LinkModel(bit_rate=424_000).exchange_time(7, received)
    assert t == pytest.approx(0.004 + (7 + 4 + received + frames * 4) * 10 / 424_000 + (frames - 1) * 0.0005)


def test_extended_beats_short_chunks_for_the_same_bytes() -> None:
    for rate in BIT_RATES:
        m = LinkModel(bit_rate=rate)
        extended = m.exchange_time(7, 3079)
        short = sum(m.exchange_time(5, 258) for _ in range(12)) + m.exchange_time(5, 7)
        assert extended < short
        # With 13 exchanges the turnarounds alone (52 ms) exceed the whole extended exchange at 848 kbit/s.
    assert LinkModel(bit_rate=848_000).exchange_time(7, 3079) < 13 * 0.004


def test_faster_rate_is_faster() -> None:
    times = [LinkModel(bit_rate=r).exchange_time(5, 258) for r in BIT_RATES]
    assert times == sorted(times, reverse=True)


def test_floor() -> None:
    m = LinkModel(bit_rate=106_000)
    assert m.floor(10_600, 3) == pytest.approx(3 * 0.004 + 1.0)
    assert m.floor(0, 0) == 0


@pytest.mark.parametrize("rate", [0, 9600, 105_999, 1_000_000])
def test_only_iso_14443_rates(rate: int) -> None:
    with pytest.raises(ValueError, match="bit rate"):
        LinkModel(bit_rate=rate)


@pytest.mark.parametrize(("frame_size", "overhead"), [(4, 4), (3, 4), (16, -1)])
def test_frame_must_carry_payload(frame_size: int, overhead: int) -> None:
    # A frame no larger than its overhead carried nothing: exchange_time divided by zero.
    with pytest.raises(ValueError, match="frame"):
        LinkModel(frame_size=frame_size, frame_overhead=overhead)


def test_negative_turnaround_refused() -> None:
    with pytest.raises(ValueError, match="turnaround"):
        LinkModel(turnaround=-0.001)


def test_meter_accumulates() -> None:
    m = LinkModel(bit_rate=848_000)
    meter = LinkMeter(m)
    t1 = meter.record(7, 2)
    t2 = meter.record(5, 258)
    assert (meter.exchanges, meter.bytes_sent, meter.bytes_received) == (2, 12, 260)
    assert meter.seconds == pytest.approx(t1 + t2)
    assert t1 == pytest.approx(m.exchange_time(7, 2))


# --- benchmarks/link_bench.py: the measuring function other benchmark scripts call ----------------------


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "link_bench.py"
    spec = importlib.util.spec_from_file_location("link_bench", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measure_generic_read_of_the_demo_card(tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "demo.json"
    save_card(bench.demo_card(), path)
    read = bench.generic_full_read(load_card(path))
    link = LinkModel(bit_rate=424_000)
    ext = bench.measure(path, read, link, True)
    short = bench.measure(path, read, link, False)
    # Same content either way: 4 files, one VERIFY; the path is loaded fresh each time (counters intact).
    assert ext["result"] == short["result"] == {"files": 4, "bytes": 3077 + 125 + 171 + 904, "verified": 1}
    # Extended: SELECT MF, SELECT AID, 4 × (SELECT + READ), SELECT key, query, VERIFY = 13, all minimal.
    assert ext["apdus"] == ext["min_exchanges"] == 13 and ext["extended_apdus"] == 4
    # Short: 3077 B needs 13 chunks, 904 B 4 chunks, the others 1: 15 more exchanges; one refusal in the reader.
    assert short["apdus"] == 28 and short["min_exchanges"] == 13 and short["extended_apdus"] == 0
    assert short["refused_by_reader"] == 1
    for s in (ext, short):
        assert s["floor_seconds"] <= s["modelled_seconds"] and s["ratio"] >= 1
        assert s["floor_seconds"] == pytest.approx(link.floor(s["payload_bytes"], s["min_exchanges"]))
    assert short["modelled_seconds"] > ext["modelled_seconds"]


def test_measure_counts_a_card_refusing_extended_reads() -> None:
    bench = _bench()
    card = bench.demo_card()
    card.extended_length = False
    stats = bench.measure(card, bench.generic_full_read(bench.demo_card()), LinkModel(), True)
    assert stats["extended_apdus"] == 1 and stats["refused_by_reader"] == 0  # one 6700, then short for good
    assert stats["apdus"] == 29 and stats["min_exchanges"] == 13


def test_bench_cli_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert _bench().main(["--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 8
    assert lines[2].split()[:3] == ["extended", "106", "13"] and lines[-1].split()[:3] == ["short", "848", "28"]

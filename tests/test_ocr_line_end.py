"""Address lines whose end the first pass lost (taimen.ocr.line_end, look_again.building_in_band, the assignment of
a room line): a washed-out end read again past the detector's box at the line's pitch, and a building line the
detector missed read from the band under the address. Each case is a failure of the photo benchmark's tuning
split (tune-3240, 3307, 3045, 3112), drawn again on a blank card."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_helpers import ocr
from taimen.ocr import assign as asg
from taimen.ocr import fieldread, line_end, look_again, recline
from taimen.ocr.engine import Line
from test_ocr_recover import PPM, _card, _licence_recs, _rec

FW = str.maketrans("0123456789", "０１２３４５６７８９")
#: The address's first line on a licence: its place, then the block number, one full-width character every 3 mm.
PLACE = "東京都港区芝公園"
X0, Y0, SIZE = 9.0, 8.4, 3.0


def _address_marks(block: str, faint: str = "", grey: int = 215) -> list[tuple[str, float, float, float, int]]:
    """The line 「東京都港区芝公園…」: ``block`` printed dark after the place, ``faint`` right after it in ``grey``."""
    marks = [("住所", 1.8, 8.8, 2.4, 40), (PLACE + block.translate(FW), X0, Y0, SIZE, 40)]
    if faint:
        marks.append((faint.translate(FW), X0 + SIZE * (len(PLACE) + len(block)), Y0, SIZE, grey))
    return marks


def _first_pass(e, card, block: str) -> list[recline.RecLine]:
    """The licence's lines as the first pass gives them: the address line boxed up to the end of ``block``."""
    x1 = X0 + SIZE * (len(PLACE) + len(block)) + 0.2
    rl = recline.read_box(card, (X0 * PPM - 4, (Y0 - 0.3) * PPM, x1 * PPM, (Y0 + SIZE + 0.6) * PPM), PPM, e)
    assert rl is not None and rl.line.text.replace(" ", "") == PLACE + block, rl and rl.line.text
    label = _rec("住所", (1.6, 8.4, 6.6, 12.0))
    recs = _licence_recs()
    return [recs[0], recs[1], label, rl, *recs[3:]]


@pytest.fixture(scope="module")
def e():
    return ocr()


def test_a_washed_out_end_of_an_address_line_is_read_past_its_box(e) -> None:
    """tune-3240: glare over 「３１」's 1, the box ended at 3 and 「…30番地3」 was proposed. The line's end read on its
    own past the box holds the 1; taken at the line's pitch and flagged ``repaired``."""
    card = _card(_address_marks("2030番地3", "1"))
    got = fieldread.fields_from_lines("license", _first_pass(e, card, "2030番地3"), e, card=card, ppm=PPM)
    assert got["address"].value == "東京都港区芝公園2030番地31", got["address"]
    assert "repaired" in got["address"].reasons
    clean = _card(_address_marks("2030番地3"))  # nothing after the box: nothing added, nothing doubted
    same = fieldread.fields_from_lines("license", _first_pass(e, clean, "2030番地3"), e, card=clean, ppm=PPM)
    assert same["address"].value == "東京都港区芝公園2030番地3" and "repaired" not in same["address"].reasons


def test_nothing_is_read_past_an_end_another_line_on_the_row_reaches_over(e) -> None:
    """dev-0074: the birth date on the row above reached down over the address's end (its box from 42.9 mm, the
    address's to 49.7 mm); the window past the end read 「53年」 of it and 「…4番3号53年」 was proposed. Ink where
    another line's box stands is that line's: the end is not read again there."""
    card = _card(_address_marks("2030番地3", "1"))
    recs = _first_pass(e, card, "2030番地3")
    end = X0 + SIZE * (len("東京都港区芝公園") + len("2030番地3"))
    over = _rec("昭和53年12月01日生", (end - 6.0, Y0 - 1.5, end + 28.0, Y0 + 2.0))
    got = fieldread.fields_from_lines("license", [*recs, over], e, card=card, ppm=PPM)
    assert got["address"].value == "東京都港区芝公園2030番地3", got["address"]


def test_text_beyond_a_gap_wider_than_the_pitch_is_not_the_line_s_end(e) -> None:
    """Print that stands further off than two character pitches (another field, a stray number) is not taken: it
    appended 「107」 to 「…番地」 before the pitch was checked."""
    block = "2030番地"
    marks = _address_marks(block)
    marks.append(("107", X0 + SIZE * (len(PLACE) + len(block)) + 2.6 * SIZE, Y0, SIZE, 200))
    card = _card(marks)
    recs = _first_pass(e, card, block)
    addr = asg.Pick([asg.Span(3, 0, len(recs[3].line.text))], [])
    got, done = line_end.read_past_end(card, PPM, recs, addr, e)
    assert not done and len(got) == len(recs) and len(addr.spans) == 1


def test_the_added_characters_must_keep_the_line_s_pitch() -> None:
    """What the window reads past the line's last character is taken up to a gap wider than ``PITCH_GAP`` pitches;
    print closer than ``PITCH_MIN`` pitches (small type: the licence's number) or after 号室 refuses it all."""

    def window(text: str, xs: list[float]) -> recline.RecLine:
        # a reading whose character k has its frame at xs[k] (card pixels; one frame per pixel, the crop from x 0)
        frames = int(max(xs)) + 10
        dec = Line(text, 0.99, (0.99,) * len(text), tuple(int(x - 0.5) for x in xs))
        tl = asg.TextLine(0.0, 0.0, frames / PPM, 4.0, text, 0.99)
        return recline.RecLine(tl, np.zeros((frames, 2), np.float32), dec, np.zeros((40, frames, 3), np.uint8))

    pitch = 36.0
    tail = [100.0, 136.0, 172.0, 208.0]  # 「0番地3」, the line's last four characters
    one = window("0番地31", [*tail, 244.0])
    assert line_end._added(one, "0番地3", 208.0, pitch, PPM) == (4, 5)
    far = window("0番地3107", [*tail, 208.0 + 2.6 * pitch, 208.0 + 3.6 * pitch, 208.0 + 4.6 * pitch])
    assert line_end._added(far, "0番地3", 208.0, pitch, PPM) is None
    small = window("0番地345", [*tail, 244.0, 254.0])  # half-width digits at a third of the pitch
    assert line_end._added(small, "0番地3", 208.0, pitch, PPM) is None
    room = window("5号室45", [*tail, 244.0, 280.0])
    assert line_end._added(room, "5号室4", 208.0, pitch, PPM) is None
    other = window("1番地3", [*tail])  # the window read the line's last characters otherwise: nothing is taken
    assert line_end._added(other, "0番地3", 208.0, pitch, PPM) is None


def test_a_building_line_the_detector_missed_is_read_from_the_band_under_the_address(e, monkeypatch) -> None:
    """tune-3045, 3112: the building line 「ガーデン本町１２０１号室」 had the licence's five-digit number printed over
    its end, and neither detector pass found a line there: the address was proposed as its first line. The band of
    ink under the address is read as one line and what follows 号室 (the number's digits) left out."""
    room = "ガーデン町田1201号室".translate(FW)
    card = _card([(room, 9.5, 12.4, 2.8, 40), ("68520", 42.0, 14.6, 2.7, 60)])
    recs = _licence_recs()
    band = look_again.building_in_band(card, PPM, recs, recs[2].line, 9.5, e)
    assert band is not None and band[0].line.text[: band[1]] == "ガーデン町田1201号室", band and band[0].line.text
    monkeypatch.setattr(look_again, "detect_in", lambda *a: [])  # the detector, looking again, sees nothing there
    got = fieldread.fields_from_lines("license", _licence_recs(), e, card=card, ppm=PPM)["address"]
    assert got.value == "東京都町田市原町田4丁目23番36号ガーデン町田1201号室", got
    assert got.doubtful  # found only by looking again
    # a band that reads as no address line (a scribble, the next label) gives nothing
    assert look_again.building_in_band(_card([("△◇△◇", 9.5, 12.4, 2.8, 40)]), PPM, recs, recs[2].line, 9.5, e) is None
    assert look_again.building_in_band(_card([]), PPM, recs, recs[2].line, 9.5, e) is None
    cut = _card([("令和03年03月09", 9.5, 12.4, 2.8, 40)])  # the issue date's row, its 日 lost: no address line
    assert look_again.building_in_band(cut, PPM, recs, recs[2].line, 9.5, e) is None
    # ink that starts well right of where the address's lines start is another field's
    far = _card([(room, 22.0, 12.4, 2.8, 40)])
    assert look_again.building_in_band(far, PPM, recs, recs[2].line, 9.5, e) is None


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> asg.TextLine:
    return asg.TextLine(x0, y0, x1, y1, text, 0.99)


def test_a_room_line_starting_well_left_of_a_first_line_that_lost_its_start_joins_the_address() -> None:
    """tune-3222: a finger over 「熊本県熊」 left the first line read from 20 mm (「本市中央区水前寺9丁目14番地10」)
    and the building line 「ハイム水前寺702号室」, at 7 mm, 13 mm left of it, was dropped. A room line up to
    ``ROOM_LEFT_MM`` left of the address's start joins it; another line there does not."""
    head = [_line("美桜", 18.0, 0.7, 27.2, 6.4), _line("昭和59年09月12日生", 47.2, 5.1, 75.2, 8.9)]
    first = _line("本市中央区水前寺9丁目14番地10", 20.3, 8.4, 70.4, 12.2)
    tail = [_line("交付 令和05年08月15日", 1.8, 15.2, 34.2, 20.5)]
    room = _line("ハイム水前寺702号室", 7.0, 12.2, 41.0, 16.1)
    got = asg.assign("license", [*head, first, room, *tail])["address"]
    assert got is not None and [s.line for s in got.spans] == [2, 3]
    other = _line("ハイム水前寺", 7.0, 12.2, 30.0, 16.1)  # no room number: another field's line may stand there
    got = asg.assign("license", [*head, first, other, *tail])["address"]
    assert got is not None and [s.line for s in got.spans] == [2]
    farther = _line("ハイム水前寺702号室", 2.0, 12.2, 36.0, 16.1)  # 18 mm left: beyond what a lost start explains
    got = asg.assign("license", [*head, first, farther, *tail])["address"]
    assert got is not None and [s.line for s in got.spans] == [2]


class _Table:
    """An engine that only knows its character table."""

    def __init__(self, table: list[str]) -> None:
        self.table = table

    def character_table(self) -> list[str]:
        return self.table


def test_a_mark_no_address_prints_ending_the_window_is_the_character_its_frames_hold_next() -> None:
    """tune-3214: the window past 「…番地2」 read 「番地2?」, the faint 9's frame 0.80 「?」 and 0.08 9; an address
    prints no question mark, and 9 is four times as probable as any other character an address's end may hold."""
    table = ["blank", "7", "番", "地", "2", "9", "?", ":", "0"]
    probs = np.zeros((10, len(table)), np.float32)
    probs[:, 0] = 1.0
    for f, c in ((1, 1), (3, 2), (5, 3), (7, 4)):
        probs[f] = 0.0
        probs[f, c] = 1.0
    probs[9] = [0.01, 0, 0, 0, 0, 0.08, 0.8, 0.06, 0.01]
    dec = Line("7番地2?", 0.8, (1.0, 1.0, 1.0, 1.0, 0.8), (1, 3, 5, 7, 9))
    rl = recline.RecLine(asg.TextLine(0, 0, 10, 3, dec.text, 0.8), probs, dec, np.zeros((1, 1, 3), np.uint8))
    got = line_end._faint_last(rl, _Table(table))
    assert got.decoded.text == got.line.text == "7番地29" and got.decoded.confidence == pytest.approx(0.08)
    probs[9] = [0.01, 0, 0, 0, 0, 0.03, 0.8, 0.06, 0.02]  # 9 not clearly the one: left as read
    assert line_end._faint_last(rl, _Table(table)).decoded.text == "7番地2?"
    probs[9] = [0.01, 0, 0, 0, 0, 0.005, 0.8, 0.06, 0.0]  # too little for any: left as read
    assert line_end._faint_last(rl, _Table(table)).decoded.text == "7番地2?"


def _placed(text: str, x0: float, y0: float, pitch: float = 3.0) -> recline.RecLine:
    """A line whose characters stand every ``pitch`` mm from ``x0`` (one frame per half character)."""
    n = len(text)
    probs = np.zeros((2 * n, 3), np.float32)
    width = int(n * pitch * PPM)
    dec = Line(text, 0.99, (0.99,) * n, tuple(2 * i for i in range(n)))
    tl = asg.TextLine(x0, y0, x0 + n * pitch, y0 + pitch, text, 0.99)
    return recline.RecLine(tl, probs, dec, np.zeros((int(pitch * PPM), width, 3), np.uint8))


def test_an_address_line_starting_right_of_the_first_lines_text_lost_its_start() -> None:
    """dev-0183: 「24号」's 2 under glare, the second line boxed from 「4号」, 5 mm right of the first line's text;
    「…3番4号」 was proposed without doubt. The lines of an address are printed left-aligned."""
    first = _placed("住所奈良県奈良市餅飯殿町5丁目3番", 2.0, 13.0)
    late = _placed("4号", 2.0 + 2 * 3.0 + 4.5, 17.5)
    aligned = _placed("24号", 2.0 + 2 * 3.0, 17.5)
    pick = asg.Pick([asg.Span(0, 2, len(first.decoded.text)), asg.Span(1, 0, 2)])
    assert line_end.starts_late([first, late], pick, PPM)
    assert not line_end.starts_late([first, aligned], pick, PPM)
    # a piece read past the first line's end on its own row is no new line
    tail = _placed("4号", 2.0 + 17 * 3.0, 13.0)
    assert not line_end.starts_late([first, tail], pick, PPM)


def test_a_next_line_that_lost_its_start_under_glare_is_read_again_from_where_the_lines_start(e) -> None:
    """tune-4141: glare over 「メゾン」 of 「メゾン中央８１３号室」, the line boxed and read from 「中央」 and the
    building's word lost. The row from where the first line's text starts to the line's first characters, read
    again, holds the faint word at the line's pitch: put in front, flagged ``repaired``. With no ink there nothing
    is added."""
    block, room = "2030番地3", "芝公園1201号室"
    y1 = Y0 + 4.0

    def recs_for(card: np.ndarray) -> list[recline.RecLine]:
        x = X0 + 3 * SIZE
        rl = recline.read_box(
            card, (x * PPM - 4, (y1 - 0.3) * PPM, (x + SIZE * len(room) + 0.2) * PPM, (y1 + SIZE + 0.6) * PPM), PPM, e
        )
        assert rl is not None and rl.line.text.replace(" ", "") == room, rl and rl.line.text
        return [*_first_pass(e, card, block), rl]

    marks = [*_address_marks(block), (room.translate(FW), X0 + 3 * SIZE, y1, SIZE, 40)]
    card = _card([*marks, ("メゾン", X0, y1, SIZE, 205)])
    got = fieldread.fields_from_lines("license", recs_for(card), e, card=card, ppm=PPM)["address"]
    assert got.value == "東京都港区芝公園2030番地3メゾン芝公園1201号室", got
    assert "repaired" in got.reasons
    clean = _card(marks)
    got = fieldread.fields_from_lines("license", recs_for(clean), e, card=clean, ppm=PPM)["address"]
    assert got.value == "東京都港区芝公園2030番地3芝公園1201号室" and "cut_off" in got.reasons

"""A Japanese name read again against the list of family and given names (taimen.ocr.names): a part in no
list, one character off a listed name that the frames nearly read, is read as that name and flagged. Cases are
misreads of the tuning split of the photo benchmark (宮本 read 官本, 増田 read as the Chinese form 增田)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr_helpers import ocr
from taimen.ocr import fieldread, names
from taimen.ocr.ctc import Support
from test_ocr_places import _line, _sure


class Only(Support):
    """Support only for the given characters."""

    def __init__(self, chars: dict[str, float]) -> None:
        super().__init__(None, [], None)
        self.chars = chars

    def __call__(self, i: int, ch: str) -> float:
        return self.chars.get(ch, 0.0)


@pytest.fixture(scope="module")
def data() -> names.Names:
    got = names.names()
    assert got is not None, "src/taimen/ocr/data/names.tsv.gz is part of the package"
    return got


def test_the_list_holds_common_names_and_not_their_misreadings(data: names.Names) -> None:
    assert data.listed("姓", "宮本") and data.listed("姓", "増田") and data.listed("名", "芽衣")
    assert not data.listed("姓", "官本") and not data.listed("名", "茸衣")
    assert data.listed("姓", "髙田")  # a printed form of a listed name (高田) is listed


def test_a_part_in_no_list_is_read_as_the_listed_name_the_frames_nearly_read(data: names.Names) -> None:
    assert names.read_again("官本", "姓", [0, 1], Only({"宮": 0.3}), data) == "宮本"
    assert names.read_again("茸衣", "名", [0, 1], Only({"芽": 0.1}), data) == "芽衣"


def test_a_listed_name_or_an_unsupported_one_is_never_changed(data: names.Names) -> None:
    assert names.read_again("陶子", "名", [0, 1], Only({"陽": 0.5}), data) is None  # 陶子 is a name too
    assert names.read_again("官本", "姓", [0, 1], Only({"宮": 0.005}), data) is None  # the frames never read 宮


def test_two_listed_names_about_equally_supported_give_none(data: names.Names) -> None:
    assert names.read_again("官本", "姓", [0, 1], Only({"宮": 0.3, "岡": 0.2}), data) is None


def _name(e, chars: list[dict[str, float]]):
    recs = [
        _line(e, _sure("氏名"), (2, 8, 8, 11)),
        _line(e, chars, (9, 7.5, 30, 11.5)),
        _line(e, _sure("住所"), (2, 15, 8, 18)),
        _line(e, _sure("東京都港区赤坂9丁目7番27号"), (9, 14.5, 60, 18.5)),
        _line(e, _sure("昭和55年2月17日生"), (13, 26, 44, 29.5)),
        _line(e, _sure("2035年2月17日まで有効"), (5, 35, 42, 39)),
    ]
    return fieldread.fields_from_lines("mynumber", recs, e)["name"]


def test_through_the_reader_a_slipped_family_name_is_read_again_and_flagged() -> None:
    e = ocr()
    f = _name(e, [{"官": 0.6, "宮": 0.3}, *_sure("本"), {" ": 0.9}, *_sure("恵美子")])
    assert f.value == "宮本\u3000恵美子"
    assert "repaired" in f.reasons and f.doubtful
    assert f.extra["read"] == "官本\u3000恵美子"


def test_without_the_list_names_read_as_before(monkeypatch) -> None:
    monkeypatch.setattr(names, "DATA", Path("/nonexistent/names.tsv.gz"))
    monkeypatch.setattr(names, "_loaded", [])
    e = ocr()
    f = _name(e, [{"官": 0.6, "宮": 0.3}, *_sure("本"), {" ": 0.9}, *_sure("恵美子")])
    assert f.value == "官本\u3000恵美子"
    names._loaded.clear()


def test_a_labels_residue_read_as_a_part_of_its_own_is_dropped_before_a_whole_name() -> None:
    """「民威 增田 雅之」 (tune-0460): the small-print 氏名 read as a part of its own before the name."""
    e = ocr()
    f = _name(e, [*_sure("民威"), {" ": 0.9}, {"官": 0.6, "宮": 0.3}, *_sure("田"), {" ": 0.9}, *_sure("雅之")])
    assert f.value == "宮田\u3000雅之"
    assert {"neighbour_text_removed", "repaired"} <= set(f.reasons) and f.doubtful
    # three parts that are no residue and a name are left as read
    f = _name(e, [*_sure("長谷川"), {" ": 0.9}, *_sure("田中"), {" ": 0.9}, *_sure("雅之")])
    assert f.value == "長谷川\u3000田中\u3000雅之"


def test_a_labels_residue_before_a_name_read_without_its_space_is_dropped_and_the_name_split() -> None:
    """「民名 安藤拓海」 (tune-2286): the 氏名 label read as a part of its own, and the name after it with its
    space lost; the lists split the name where a listed family and given name meet, and the residue goes."""
    e = ocr()
    f = _name(e, [*_sure("民名"), {" ": 0.9}, *_sure("安藤拓海")])
    assert f.value == "安藤\u3000拓海"
    assert "neighbour_text_removed" in f.reasons and f.doubtful
    # a first part that is a listed family name stays
    f = _name(e, [*_sure("森"), {" ": 0.9}, *_sure("安藤拓海")])
    assert f.value == "森\u3000安藤拓海"


def test_a_name_listed_in_several_printed_forms_is_one_name(data: names.Names) -> None:
    """演田 (dev-0438, 濵田 printed): 浜田 and 濱田 are both listed and share their character's support; they are
    one name, not two equally supported ones."""
    assert data.listed("姓", "浜田") and data.listed("姓", "濱田")
    got = names.read_again("演田", "姓", [0, 1], Only({"浜": 0.38, "濱": 0.38, "濵": 0.38}), data)
    assert got is not None and names._fold(got) == names._fold("浜田")


def test_the_printed_form_is_the_one_the_frames_give_most() -> None:
    """A variant (濱, 邉) where its own classes clearly beat the common form's; a simplified form (广 for 広 and
    廣 alike) decides nothing, and without a clear variant the common form is proposed."""
    assert names.printed_form("浜田", "演田", [0, 1], Only({"濱": 0.38, "浜": 0.01})) == "濱田"
    assert names.printed_form("辺見", "-見", [0, 1], Only({"邉": 0.2, "邊": 0.04})) == "邉見"
    assert names.printed_form("廣田", "广田", [0, 1], Only({"广": 0.87})) == "広田"
    assert names.printed_form("浜田", "演田", [0, 1], Only({"濱": 0.1, "浜": 0.05})) == "浜田"
    assert names.printed_form("宮本", "官本", [0, 1], Only({"宮": 0.3})) == "宮本"


def test_a_family_name_with_one_character_read_as_a_mark_is_read_again() -> None:
    """「-見　正人」 (dev-0442, 邉見 printed): the part is read again like a kanji slip, in the form the frames give
    most, flagged; a part of marks only, or one no listed name fits, is left as read."""
    e = ocr()
    f = _name(e, [{"-": 0.5, "邉": 0.3, "邊": 0.05}, *_sure("見"), {" ": 0.9}, *_sure("正人")])
    assert f.value == "邉見\u3000正人"
    assert {"repaired", "variant_form"} <= set(f.reasons) and f.extra["read"] == "-見\u3000正人"
    f = _name(e, [{"-": 0.9}, *_sure("見"), {" ": 0.9}, *_sure("正人")])
    assert f.value == "-見\u3000正人"


def test_a_labels_residue_run_into_a_family_name_in_no_list_is_dropped(data: names.Names) -> None:
    """「者山下　愛」 (tune-3660), 「洪屯小川」 (tune-3700): the 氏名 label's residue joined to the family name without
    a space; the fewest first characters that leave a listed family name of two characters go. A listed family
    name, or one that would leave a single character (德永 is in no list, 永 is), stays."""
    assert names.residue_in("者山下", data) == 1 and names.residue_in("洪屯小川", data) == 2
    assert names.residue_in("山下", data) == 0 and names.residue_in("德永", data) == 0
    e = ocr()
    f = _name(e, [*_sure("者山下"), {" ": 0.9}, *_sure("愛")])
    assert f.value == "山下\u3000愛"
    assert "neighbour_text_removed" in f.reasons and f.doubtful

"""The rest of an address after its place (taimen.ocr.address_rest): block numbers read by their grammar, rooms,
a building named after its 町域, and the next line's text cut off. Each case is a misread of the tuning split of
the photo benchmark; each repair is flagged, never a sure value."""

from __future__ import annotations

import pytest

from ocr_helpers import ocr
from taimen.ocr import address_rest as ar
from taimen.ocr import fields as fp
from taimen.ocr.ctc import Support
from test_ocr_names import Only
from test_ocr_places import _address


class Flat(Support):
    """Every character has the same support in its frames."""

    def __init__(self, p: float) -> None:
        super().__init__(None, [], None)
        self.p = p

    def __call__(self, i: int, ch: str) -> float:
        return self.p


SOME, NONE = Flat(0.2), Flat(0.0)


def test_a_mark_between_digits_before_chi_is_ban_whatever_the_frames_say() -> None:
    assert ar.block_marks("北海道旭川市四条通2264委地12", NONE) == ("北海道旭川市四条通2264番地12", 1)


def test_a_mark_between_block_numbers_before_go_is_ban_only_with_support() -> None:
    assert ar.block_marks("北海道旭川市四条通9丁目8香8号", SOME) == ("北海道旭川市四条通9丁目8番8号", 1)
    assert ar.block_marks("北海道旭川市四条通98香8号", NONE)[1] == 0
    assert ar.block_marks("東京都港区1丁目8の8号", SOME)[1] == 0  # の joins numbers


def test_a_mark_between_a_chome_blocks_numbers_before_go_is_ban_whatever_the_frames_say() -> None:
    """「香川県高松市瓦町3丁目10表28号」 (dev-0238), 「…前原西3丁R18表18号」 (tune-3107): after 丁目's number 住居表示
    prints only 番 before the number that ends in 号, so the frames need not give 番 any weight."""
    assert ar.block_marks("香川県高松市瓦町3丁目10表28号", NONE) == ("香川県高松市瓦町3丁目10番28号", 1)
    assert ar.block_marks("千葉県船橋市前原西3丁R18表18号", NONE)[0] == "千葉県船橋市前原西3丁目18番18号"
    assert ar.block_marks("香川県高松市瓦町1310表28号", NONE)[1] == 0  # no 丁目: the frames must say 番


def test_a_go_ending_a_banchi_number_is_its_last_digit_where_the_frames_give_one() -> None:
    """「青森県弘前市富田8丁目24番地3号」 (dev-0637, 号 0.45 and 7 0.43 in its frames): an address in 番地 ends with
    番地's number, no 号 after it; a 号 there is the digit the frames give most, when they give one at all."""
    assert ar.block_marks("青森県弘前市富田8丁目24番地3号", Only({"7": 0.43})) == ("青森県弘前市富田8丁目24番地37", 1)
    assert ar.block_marks("青森県弘前市富田8丁目24番地3号", NONE)[1] == 0
    assert ar.block_marks("東京都港区六本木2丁目13番9号", Only({"7": 0.43}))[1] == 0  # 番…号: 号 is printed


def test_cho_before_a_number_is_chome() -> None:
    assert ar.block_marks("北海道旭川市宮下通2丁口9番12号", NONE)[0] == "北海道旭川市宮下通2丁目9番12号"


def test_two_marks_between_block_numbers_before_ban_are_chome_with_some_support() -> None:
    """「…魚町5TH10器地26」 (tune-0958): 丁目 read as two Latin letters, 番 as 器; the grammar has only 丁目 there
    and the frames give it some support. Without support, and before a town's own numbers, nothing changes."""
    got = ar.block_marks("福岡県北九州市小倉北区魚町5TH10器地26", SOME)
    assert got == ("福岡県北九州市小倉北区魚町5丁目10番地26", 3)
    assert ar.block_marks("福岡県北九州市小倉北区魚町5TH10番地26", NONE)[1] == 0
    assert ar.block_marks("北海道札幌市中央区北1条西10丁目1番", SOME)[1] == 0  # 条西: a town's, before 丁目


def test_a_latin_letter_among_block_digits_is_the_digit_it_looks_like() -> None:
    got = ar.block_marks("兵庫県神戸市中央区元町通2960番地I1コーポ元町通1205号室", SOME)
    assert got == ("兵庫県神戸市中央区元町通2960番地11コーポ元町通1205号室", 1)
    assert ar.block_marks("兵庫県神戸市中央区元町通2960番地I1", NONE)[1] == 0


def test_a_room_ends_in_goshitsu() -> None:
    got = ar.room("兵庫県神戸市中央区北野町129番地41ハイム北野町1104号窯。", SOME)
    assert got == ("兵庫県神戸市中央区北野町129番地41ハイム北野町1104号室", 1)
    assert ar.room("兵庫県神戸市中央区北野町129番地41ハイム北野町1104号窯", NONE)[1] == 0


@pytest.mark.parametrize(
    ("read", "want"),
    [
        ("東京都町田市玉川学園6丁目11番27号会和0", "東京都町田市玉川学園6丁目11番27号"),  # 令和0… below
        ("熊本県熊本市中央区水前寺2丁目7番17号童付", "熊本県熊本市中央区水前寺2丁目7番17号"),  # 交付
        ("岡山県倉敷市阿知2192番地26在常商格", "岡山県倉敷市阿知2192番地26"),  # 在留資格
        ("東京都港区赤坂1丁目2番3号平和荘", "東京都港区赤坂1丁目2番3号平和荘"),  # a building, not 平成
        ("東京都港区赤坂1丁目2番3号交付ハイツ", "東京都港区赤坂1丁目2番3号交付ハイツ"),  # katakana: a building
        ("東京都港区赤坂1丁目2番", "東京都港区赤坂1丁目2番"),
    ],
)
def test_the_next_lines_label_or_date_is_cut_off_after_a_complete_block_number(read: str, want: str) -> None:
    assert ar.next_line(read) == want


def test_a_building_named_after_its_town_is_read_with_the_towns_name() -> None:
    got = ar.town_in_building("東京都港区赤坂9丁目7番27号メソン赤版806号室", "赤坂", SOME)
    assert got == ("東京都港区赤坂9丁目7番27号メソン赤坂806号室", 1)
    # not without support, and not a word that only shares a character with the town
    assert ar.town_in_building("東京都港区赤坂9丁目7番27号メソン赤版806号室", "赤坂", NONE)[1] == 0
    assert ar.town_in_building("東京都港区赤坂9丁目7番27号コーポ青山806号室", "赤坂", SOME)[1] == 0
    assert ar.town_in_building("東京都港区白金台2丁目9番37号ハイツ白金806号室", "白金台", SOME)[1] == 0


def test_through_the_reader_the_building_takes_its_towns_name_and_is_flagged() -> None:
    """コーポ大急 after 大島: 島 (as its Chinese form 岛) is close behind 急 in the frames."""
    e = ocr()
    chars = [{ch: 0.97} for ch in "神奈川県相模原市緑区大島3丁目29番21号コーポ大"]
    chars += [{"急": 0.30, "岛": 0.60}, *({ch: 0.97} for ch in "101号室")]
    f = _address(e, chars)
    assert f.value == "神奈川県相模原市緑区大島3丁目29番21号コーポ大島101号室"
    assert "repaired" in f.reasons and f.doubtful


def test_the_list_of_loanwords_holds_building_words() -> None:
    words = ar.loanwords()
    assert {"コーポ", "ヴィラ", "メゾン", "ハイツ"} <= words and "コーボ" not in words


def test_a_building_word_in_no_list_is_the_loanword_one_look_alike_kana_away() -> None:
    words = ar.loanwords()
    got = ar.katakana_words("兵庫県神戸市中央区北野町2036番地54コ一ボ北野町708号室", Only({"ポ": 0.3}), words)
    assert got == ("兵庫県神戸市中央区北野町2036番地54コ一ポ北野町708号室", 1)
    got = ar.katakana_words("新潟県新潟市中央区万代3丁目16番29号ヴイラ万代1215号室", Only({"ィ": 0.3}), words)
    assert got[0].endswith("ヴィラ万代1215号室")
    # never without the frames' support, never a listed word (メソン, a meson, stays), never the place part
    assert ar.katakana_words("兵庫県神戸市北野町2036番地54コ一ボ", NONE, words)[1] == 0
    assert ar.katakana_words("熊本県熊本市手取本町287番地12メソン手取本町", SOME, words)[1] == 0
    assert ar.katakana_words("東京都ボーク町1番地", SOME, words)[1] == 0


def test_a_building_word_with_one_slip_is_that_word_where_the_frames_allow_it() -> None:
    got = ar.building_words("東京都港区赤坂9丁目7番27号メソン赤坂806号室", Only({"ゾ": 0.3}))
    assert got == ("東京都港区赤坂9丁目7番27号メゾン赤坂806号室", 1)  # メソン (a meson) is a listed loanword
    got = ar.building_words("東京都町田市原町田1丁目26番35号コ一求原町田311号室", Only({"ポ": 0.05}))
    assert got == ("東京都町田市原町田1丁目26番35号コーポ原町田311号室", 1)  # a kanji for ポ
    # never without support, never a building word read as another, an unrelated kana or inside a longer word
    assert ar.building_words("東京都港区赤坂9丁目7番27号メソン赤坂806号室", NONE)[1] == 0
    assert ar.building_words("東京都港区赤坂9丁目7番27号ハイツ赤坂", SOME)[1] == 0
    assert ar.building_words("東京都港区赤坂9丁目7番27号コーラ赤坂", SOME)[1] == 0
    assert ar.building_words("東京都港区赤坂9丁目7番27号グランメソンド赤坂", SOME)[1] == 0
    assert ar.building_words("東京都メソン町1番地", SOME)[1] == 0  # the place part, not a building


def test_a_building_word_that_is_the_towns_misreading_needs_less_support() -> None:
    weak = Only({"湊": 0.005, "挙": 0.005})  # below SUPPORT, above SUPPORT_LONG
    text = "千葉県船橋市淡町881番地31メゾン淡町704号室"
    assert ar.town_in_building(text, "湊町", weak)[1] == 0
    assert ar.town_in_building(text, "湊町", weak, read_as="淡町") == ("千葉県船橋市淡町881番地31メゾン湊町704号室", 1)
    assert ar.town_in_building(text, "湊町", NONE, read_as="淡町")[1] == 0
    # after a building word whose long-vowel mark was read as the kanji 一 (「シャト一拳母町」, tune-2158)
    text = "愛知県豊田市挙母町7丁目22番12号シャト一拳母町912号室"
    got = ar.town_in_building(text, "挙母町", weak, read_as="拳母町")
    assert got == ("愛知県豊田市挙母町7丁目22番12号シャト一挙母町912号室", 1)


def test_chome_read_with_a_slip_on_either_character_or_with_a_space() -> None:
    """「9 丁日21番」 (tune-2715: a space before 丁, 目 read 日) and 「9于目21番」 (tune-2696: 丁 read 于): 目 after
    a number, and 丁 before a number, are 丁目 in an address's block number."""
    got = ar.block_marks("福岡県北九州市小倉北区魚町9 丁日21番地23", NONE)
    assert got == ("福岡県北九州市小倉北区魚町9 丁目21番地23", 1)
    assert ar.block_marks("熊本県熊本市中央区手取本町9于目21番", NONE) == ("熊本県熊本市中央区手取本町9丁目21番", 1)
    assert ar.block_marks("熊本県熊本市中央区手取本町9丁目21番29号", NONE)[1] == 0
    assert ar.block_marks("北海道札幌市中央区北1条西10丁目1番", NONE)[1] == 0


def test_a_kanji_zero_among_block_or_room_digits_is_a_digit() -> None:
    """「…1〇〇1号室」 (tune-2148), 「12〇8号室」 (tune-1712): a card prints a number in one script. Not in the
    place part, and not a run of kanji numerals alone."""
    got = ar.block_marks("千葉県船橋市前原西309番地40ハイム前原西1〇〇1号室", NONE)
    assert got == ("千葉県船橋市前原西309番地40ハイム前原西1001号室", 2)
    assert ar.block_marks("岡山県倉敷市阿知4丁目14番31号コーポ阿知12〇8号室", NONE)[0].endswith("1208号室")
    assert ar.block_marks("東京都〇〇市1番地", NONE)[1] == 0


def test_a_building_words_first_kana_read_as_the_kanji_it_looks_like() -> None:
    """「…23八イム中央1014号室」 (tune-2566, 2696): ハ read as the kanji 八, which the old search began after."""
    got = ar.building_words("岡山県倉敷市中央3丁目11番地23八イム中央1014号室", Only({"ハ": 0.06}))
    assert got == ("岡山県倉敷市中央3丁目11番地23ハイム中央1014号室", 1)
    assert ar.building_words("岡山県倉敷市中央3丁目11番地23八イム中央1014号室", Only({"ハ": 0.005}))[1] == 0


def test_a_building_words_last_kana_read_as_a_kanji_needs_less_support() -> None:
    """「コ一水」 for コーポ (tune-1982, 2217): the frames give ポ 0.02-0.3 %; the word's other kana were read."""
    weak = Only({"ポ": 0.0005})
    got = ar.building_words("岡山県倉敷市阿知7丁目17番14号コ一水阿知911号室", weak)
    assert got == ("岡山県倉敷市阿知7丁目17番14号コーポ阿知911号室", 1)
    assert ar.building_words("岡山県倉敷市阿知7丁目17番14号コ一水阿知911号室", NONE)[1] == 0
    assert ar.building_words("岡山県倉敷市阿知7丁目17番14号番イム阿知911号室", weak)[1] == 0  # a first kana: 1 %


def test_through_the_reader_a_building_repaired_first_lets_its_town_be_read() -> None:
    """「コ一水橘本」 after 橋本 (tune-2217): the town is looked for after the building word, so the word first."""
    e = ocr()
    chars = [{ch: 0.97} for ch in "神奈川県相模原市緑区橋本252番地48コー"]
    chars += [{"水": 0.8, "ポ": 0.003}, {"橘": 0.5, "橋": 0.3}, {"本": 0.97}, *({ch: 0.97} for ch in "1014号室")]
    f = _address(e, chars)
    assert f.value == "神奈川県相模原市緑区橋本252番地48コーポ橋本1014号室"
    assert "repaired" in f.reasons and f.doubtful


def test_a_towns_slip_repeated_from_the_place_part_counts_as_the_same_misreading() -> None:
    """「…小板本街9丁目…ガーデン小妖本街809号室」 (tune-2233): 町 read 街 on both lines, so of the building's two
    slips only 妖 is one of its own; one of four with support above SUPPORT_LONG. Without that support, or
    without the place part's misreading, two of four stay."""
    text = "愛知県豊田市小坂本町9丁目24番37号ガーデン小妖本街809号室"
    weak = Only({"坂": 0.004, "町": 0.025})
    got = ar.town_in_building(text, "小坂本町", weak, read_as="小板本街")
    assert got == ("愛知県豊田市小坂本町9丁目24番37号ガーデン小坂本町809号室", 2)
    assert ar.town_in_building(text, "小坂本町", weak)[1] == 0
    assert ar.town_in_building(text, "小坂本町", Only({"坂": 0.004}), read_as="小板本街")[1] == 0


def test_a_dash_or_ichi_after_katakana_is_the_long_vowel_mark_where_it_must_be_one() -> None:
    """A building's ー read as a dash (「コ-ポ」, 「シャト－阿知」) or as 一 (「コ一ポ」) is written ー; a dash before a
    room number only when the word it ends is a loanword, and 一 before 番, 丁 or 条 stays a numeral."""
    assert ar.long_vowels("コ-ポ阿知") == "コーポ阿知"
    assert ar.long_vowels("コ一ポ阿知") == "コーポ阿知"
    assert ar.long_vowels("シャト\u2212阿知1001号室") == "シャトー阿知1001号室"
    assert ar.long_vowels("シャト-1001号室") == "シャトー1001号室"  # シャトー is a building word
    assert ar.long_vowels("ハイツ-101") == "ハイツ-101"  # a dash form after a whole word
    assert ar.long_vowels("ハイツ一番町") == "ハイツ一番町"
    assert ar.long_vowels("東京都港区赤坂1-2-3") == "東京都港区赤坂1-2-3"  # no katakana before: the dash form


def test_a_building_word_read_with_a_dash_for_its_mark_is_found_and_written_with_it() -> None:
    got = ar.katakana_words("兵庫県神戸市中央区北野町2036番地54コ-ボ北野町708号室", Only({"ポ": 0.3}), ar.loanwords())
    assert got == ("兵庫県神戸市中央区北野町2036番地54コ-ポ北野町708号室", 1)
    f = fp.parse_address([(got[0], 0.9)])
    assert f.value == "兵庫県神戸市中央区北野町2036番地54コーポ北野町708号室"


def test_a_buildings_first_word_read_with_kanji_drawn_like_its_kana_is_the_loanword() -> None:
    """dev-0037: 「カーサ」 read 「力一サ」 (the kanji 力, the numeral 一): the two slips kept it out of reach of the
    one-slip rules; with its look-alikes read as kana it is a loanword, the kana supported by the frames."""
    words = ar.loanwords()
    got = ar.kanji_kana("愛媛県松山市道後湯之町1304番地1力一サ道後湯之町606号室", Only({"カ": 0.2}), words)
    assert got == ("愛媛県松山市道後湯之町1304番地1カーサ道後湯之町606号室", 2)
    got = ar.kanji_kana("沖縄県那覇市久茂地1853番地50 クレス卜久茂地1111号室", Only({"ト": 0.1}), words)
    assert got[0].endswith(" クレスト久茂地1111号室")
    # dev-0204: 「力一秒」, the word's last kana read as a kanji the frames give サ some support (and no other kana
    # that makes a word); the town after it is another rule's
    read = "長野県松本市中央6丁目9番1号力一秒申央903号室"
    assert ar.kanji_kana(read, Only({"カ": 0.2, "サ": 0.005}), words) == (read.replace("力一秒", "カーサ"), 3)
    assert ar.kanji_kana(read, Only({"カ": 0.2}), words)[1] == 0
    # dev-0595: the kanji inside the word, the rest read as a bar and a kana
    read = "青森県弘前市富田8丁目15番地38エス子一ト富田1014号室"
    assert ar.kanji_kana(read, Only({"テ": 0.003}), words)[0] == read.replace("エス子一ト", "エステート")
    # never without support for the kana, never a word already listed, never a town's kanji after the word, never
    # a run that starts anywhere but the building
    assert ar.kanji_kana("愛媛県松山市道後湯之町1304番地1力一サ道後湯之町", NONE, words)[1] == 0
    assert ar.kanji_kana("東京都足立区千住1丁目2番3号ハイツ千住101号室", SOME, words)[1] == 0
    assert ar.kanji_kana("東京都港区三田1丁目2番3号メゾン三田", SOME, words)[1] == 0
    assert ar.kanji_kana("東京都力一サ町1番地", SOME, words)[1] == 0
    assert ar.kanji_kana("東京都港区赤坂1丁目2番3号コ一ポ赤坂", SOME, words)[1] == 0  # a bar only: the parse's


def test_me_lost_between_cho_and_a_number_is_put_back() -> None:
    """dev-0489: 「…土手町6丁21番地4」 proposed without doubt, 目 lost: the grammar has only 丁目 between numbers."""
    assert ar.lost_me("青森県弘前市土手町6丁21番地4") == ("青森県弘前市土手町6丁目21番地4", 1)
    assert ar.lost_me("青森県弘前市土手町6丁目21番地4")[1] == 0
    assert ar.lost_me("京都府京都市中京区一丁田町5番地")[1] == 0  # no number before 丁: a town's name


def test_go_lost_at_the_end_of_a_block_number_is_put_back() -> None:
    """dev-0495: 「…8丁目12番35」, the line's last character washed out; 住居表示 prints 「…番35号」."""
    assert ar.lost_go("和歌山県田辺市新屋敷町8丁目12番35") == ("和歌山県田辺市新屋敷町8丁目12番35号", 1)
    assert ar.lost_go("和歌山県田辺市新屋敷町8丁目12番35号")[1] == 0
    assert ar.lost_go("和歌山県田辺市新屋敷町12番地35")[1] == 0  # 地番: 番地 and a number is complete


def test_ban_lost_at_a_line_break_after_chomes_number_is_put_back() -> None:
    """dev-0639: 「東京都世田谷区用賀７丁目２８」 and 「４号」 on the next line, the faint 番 at the first line's end
    given no weight by the recogniser: 「…7丁目284号」 was proposed. After 丁目's number a number ending in 号
    follows 番."""
    got = ar.lost_ban("東京都世田谷区用賀7丁目284号", ["4号"])
    assert got == ("東京都世田谷区用賀7丁目28番4号", 1)
    assert ar.lost_ban("東京都世田谷区用賀7丁目28番4号", ["4号"])[1] == 0  # 番 read
    assert ar.lost_ban("東京都世田谷区用賀7丁目284号", [])[1] == 0  # one line: where 番 stood is unknown
    assert ar.lost_ban("東京都港区芝公園2030番地34号", ["4号"])[1] == 0  # no 丁目

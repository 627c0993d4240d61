"""Every value typed before a read is validated in bounded, linear time and as a whole (issue 13, items 14–15).

A PIN "1234\\n" passed ``re.match(r"^[0-9]{4}$")`` and went to the card as 5 bytes, spending a licence try;
the birth-date pattern ``^\\s*(\\d{6}|.*\\d.*)\\s*$`` took seconds on 20 KB of spaces. These tests run every
unlock field of every registered document and every CLI-side parser of unlock values.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taimen import documents
from taimen.documents import UnlockField
from taimen.errors import OperatorInputError
from taimen.license import pin
from taimen.mynumber import shogo_b

FIELDS = [(doc.key, f) for doc in documents.registry().values() for f in doc.unlock_fields]
IDS = [f"{key}.{f.key}" for key, f in FIELDS]

#: Characters that must never ride along with a secret: newlines, NUL, other controls, line separators.
CONTROLS = st.sampled_from(["\n", "\r", "\r\n", "\x00", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028"])

#: Inputs that made backtracking patterns slow (quadratic or worse) at 20 KB.
HOSTILE = [" " * 20_000, "1" + " " * 20_000 + "x", "a" * 20_000, "1" * 20_000, "\t" * 20_000 + "1"]


def _is_control(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Zl", "Zp")


@pytest.mark.parametrize(("key", "field"), FIELDS, ids=IDS)
def test_pattern_is_bounded_and_fast_on_20kb(key: str, field: UnlockField) -> None:
    for text in HOSTILE:
        started = time.perf_counter()
        assert not field.accepts(text)
        # A generous bound: the old birth pattern took >2 s here; a linear check takes microseconds.
        assert time.perf_counter() - started < 0.2, (key, field.key, text[:3])


@pytest.mark.parametrize(("key", "field"), FIELDS, ids=IDS)
def test_accepted_values_never_carry_control_characters(key: str, field: UnlockField) -> None:
    @given(st.from_regex(field.pattern, fullmatch=True), CONTROLS, st.booleans())
    def check(value: str, control: str, before: bool) -> None:
        if len(value) > field.max_length:
            return
        breaks = "\r\n" if field.multiline else ""  # the MRZ's two lines
        if field.multiline and control in ("\n", "\r", "\r\n"):
            return
        if not any(_is_control(c) and c not in breaks for c in value):
            assert field.accepts(value), value
        spoiled = control + value if before else value + control
        assert not field.accepts(spoiled), spoiled

    check()


@pytest.mark.parametrize(("key", "field"), FIELDS, ids=IDS)
def test_any_text_accepted_is_short_and_clean(key: str, field: UnlockField) -> None:
    @given(st.text(max_size=80))
    def check(text: str) -> None:
        if field.accepts(text):
            assert len(text) <= field.max_length
            assert not any(_is_control(c) and not (field.multiline and c in "\r\n") for c in text)

    check()


@pytest.mark.parametrize(("key", "field"), [(k, f) for k, f in FIELDS if "[0-9]" in f.pattern], ids=lambda x: str(x))
def test_digit_fields_accept_ascii_digits_only(key: str, field: UnlockField) -> None:
    # a well-formed value of the field's own shape: a 4-digit PIN, a YYMMDD date, a residence card number
    good = next((v for v in ("1234", "123456", "AB12345678CD") if field.accepts(v)), None)
    assert good is not None
    full_width = good.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    arabic = good.translate({ord(d): 0x0660 + int(d) for d in "0123456789"})
    for other in (full_width, arabic, good + "\n", "\n" + good, good[:2] + " " + good[2:], good[:-1]):
        assert not field.accepts(other), other


def test_pin_with_trailing_newline_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(OperatorInputError):
        pin.pin_bytes("1234\n", pin.PIN1)
    assert pin.pin_bytes("1234", pin.PIN1) == b"1234"


@given(st.text(max_size=12))
def test_pin_bytes_sends_exactly_four_ascii_digits_or_refuses(text: str) -> None:
    try:
        sent = pin.pin_bytes(text, pin.PIN1)
    except OperatorInputError:
        return
    assert len(sent) == 4 and sent.isdigit() and sent.decode() == text


TODAY = date(2026, 1, 1)


@given(CONTROLS, st.sampled_from(["birth", "expiry", "code"]), st.booleans())
def test_shogo_b_refuses_control_characters_in_any_part(control: str, part: str, before: bool) -> None:
    values = {"birth": "550217", "expiry": "2035", "code": "2285"}
    values[part] = control + values[part] if before else values[part] + control
    with pytest.raises(OperatorInputError):
        shogo_b.build(values["birth"], values["expiry"], values["code"], today=TODAY)


@given(st.text(max_size=30), st.text(max_size=6), st.text(max_size=6))
def test_shogo_b_value_is_always_fourteen_ascii_digits(birth: str, expiry: str, code: str) -> None:
    try:
        b = shogo_b.build(birth, expiry, code, today=TODAY)
    except OperatorInputError:
        return
    value = b.value()
    assert len(value) == 14 and value.isdigit()


def test_shogo_b_parsers_are_fast_on_20kb() -> None:
    for text in HOSTILE:
        for call in (
            lambda t: shogo_b.parse_birth(t, today=TODAY),
            shogo_b.parse_expiry_year,
            lambda t: shogo_b.build("550217", "2035", t, today=TODAY),
        ):
            started = time.perf_counter()
            with pytest.raises(OperatorInputError):
                call(text)
            assert time.perf_counter() - started < 0.2


@pytest.mark.parametrize("bad", ["2285\n", "2285\x00", "2" * 5000])
def test_ocr_command_checks_confirmed_values_like_every_other_path(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``taimen ocr --read``: a proposal the operator confirms with Enter is checked like a typed value."""
    import io

    from taimen.cli import ocr

    class Proposals:
        def unlock_for_document(self) -> dict[str, str]:
            return {"birth": "550217", "expiry_year": "2035", "security_code": bad}

    monkeypatch.setattr("sys.stdin", io.StringIO("\n" * 8))
    with pytest.raises(OperatorInputError):
        ocr.confirm_unlock(Proposals(), documents.get("mynumber"), lang="ja", reveal=False)

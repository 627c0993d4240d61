"""JIS X 0208 and JIS X 0201 text as cards store it, decoded into structured segments.

The driving licence stores kanji fields as raw two-byte JIS X 0208 codes (row/cell 0x21–0x7E, no escape
sequences), digits and dates as JIS X 0201. Decoding uses the JIS mapping to Unicode, not CP932's: 0x215D is
U+2212 MINUS SIGN (CP932: U+FF0D), 0x2141 is U+301C WAVE DASH (CP932: U+FF5E). Addresses such as
「２−１−２」 compare correctly only with the JIS mapping. The table is built from Python's ``euc_jp`` codec,
which follows that mapping (tests pin several code points).

Codes outside the character set are not errors: FFF1–FFF7 name 外字 1–7 (bitmaps stored on the card),
FFFA is 欠字 (a character that could not be recorded), and any other code is kept as an "unknown" segment
so that the clerk sees that something is there. Decoding never raises on card bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

GAIJI_FIRST = 0xFFF1
GAIJI_LAST = 0xFFF7
MISSING = 0xFFFA
#: Display form of a 外字 in plain text (〓 GETA MARK, the customary stand-in for an unavailable glyph).
GAIJI_PLACEHOLDER = "〓"

SegmentKind = Literal["text", "gaiji", "missing", "unknown"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of decoded text, one 外字 (by index 1–7), one 欠字, or one undecodable code."""

    kind: SegmentKind
    text: str = ""
    index: int | None = None  # 外字 number (FFF1 → 1)
    code: int | None = None  # the raw code of a 外字/欠字/unknown segment

    def display(self) -> str:
        if self.kind == "text":
            return self.text
        if self.kind == "gaiji":
            return GAIJI_PLACEHOLDER
        if self.kind == "missing":
            return "［欠字］"
        width = 2 if self.code is not None and self.code <= 0xFF else 4
        return f"［未定義:{self.code or 0:0{width}X}］"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "text":
            out["text"] = self.text
        else:
            out["code"] = f"{self.code or 0:04X}"
        if self.kind == "gaiji":
            out["index"] = self.index
            out["placeholder"] = GAIJI_PLACEHOLDER
        return out


@dataclass(frozen=True, slots=True)
class JisText:
    """Decoded text: the segments, and forms for display and comparison."""

    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        """Display form: 外字 as 〓, 欠字 as ［欠字］, unknown codes as ［未定義:XXXX］."""
        return "".join(s.display() for s in self.segments)

    @property
    def gaiji(self) -> tuple[int, ...]:
        """外字 numbers used, in order of appearance (may repeat)."""
        return tuple(s.index for s in self.segments if s.kind == "gaiji" and s.index is not None)

    @property
    def complete(self) -> bool:
        """True when every character decoded to Unicode (no 外字, 欠字 or unknown code)."""
        return all(s.kind == "text" for s in self.segments)

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "complete": self.complete,
            "segments": [s.to_json() for s in self.segments],
        }


def _append(out: list[Segment], seg: Segment) -> None:
    if seg.kind == "text" and out and out[-1].kind == "text":
        out[-1] = Segment("text", out[-1].text + seg.text)
    else:
        out.append(seg)


@lru_cache(maxsize=1)
def _x0208_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for row in range(0x21, 0x7F):
        for cell in range(0x21, 0x7F):
            try:
                ch = bytes((row | 0x80, cell | 0x80)).decode("euc_jp")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                table[(row << 8) | cell] = ch
    return table


@lru_cache(maxsize=1)
def _x0208_reverse() -> dict[str, int]:
    return {ch: code for code, ch in _x0208_table().items()}


@lru_cache(maxsize=8192)
def x0208_char(code: int) -> str | None:
    """The Unicode character of a JIS X 0208 code (0x2121–0x7E7E), or None when it is not assigned.

    One code at a time (the full table costs ~15 ms to build, a licence holds a few dozen characters)."""
    row, cell = code >> 8, code & 0xFF
    if not (0x21 <= row <= 0x7E and 0x21 <= cell <= 0x7E):
        return None
    try:
        ch = bytes((row | 0x80, cell | 0x80)).decode("euc_jp")
    except UnicodeDecodeError:
        return None
    return ch if len(ch) == 1 else None


def decode_x0208(data: bytes) -> JisText:
    """Decode raw two-byte JIS X 0208 (the licence's kanji fields), keeping 外字/欠字/unknown codes."""
    out: list[Segment] = []
    n = len(data)
    for i in range(0, n - 1, 2):
        code = (data[i] << 8) | data[i + 1]
        if GAIJI_FIRST <= code <= GAIJI_LAST:
            out.append(Segment("gaiji", index=code - GAIJI_FIRST + 1, code=code))
        elif code == MISSING:
            out.append(Segment("missing", code=code))
        elif (ch := x0208_char(code)) is not None:
            _append(out, Segment("text", ch))
        else:
            out.append(Segment("unknown", code=code))
    if n % 2:
        out.append(Segment("unknown", code=data[-1]))  # a dangling half character
    return JisText(tuple(out))


def _x0201_char(b: int) -> str | None:
    if b == 0x5C:
        return "¥"
    if b == 0x7E:
        return "‾"
    if 0x20 <= b <= 0x7D:
        return chr(b)
    if 0xA1 <= b <= 0xDF:
        return chr(0xFF61 + b - 0xA1)  # half-width katakana block
    return None


def decode_x0201(data: bytes) -> JisText:
    """Decode JIS X 0201 (Roman + katakana); control and unassigned bytes become unknown segments."""
    out: list[Segment] = []
    for b in data:
        ch = _x0201_char(b)
        if ch is None:
            out.append(Segment("unknown", code=b))
        else:
            _append(out, Segment("text", ch))
    return JisText(tuple(out))


def x0201_ascii(data: bytes) -> str | None:
    """The text if every byte is printable JIS X 0201 Roman that equals ASCII (digits, letters), else None."""
    if all(0x20 <= b <= 0x7D and b != 0x5C for b in data):
        return data.decode("ascii")
    return None


# --- encoding (for the emulator and card images; never applied to card input) -----------------------


def encode_x0208(text: str, *, gaiji: dict[str, int] | None = None) -> bytes:
    """Encode text as raw JIS X 0208. ``gaiji`` maps characters to 外字 numbers 1–7 (written FFF1–FFF7)."""
    rev = _x0208_reverse()
    out = bytearray()
    for ch in text:
        if gaiji and ch in gaiji:
            out += (GAIJI_FIRST + gaiji[ch] - 1).to_bytes(2, "big")
        elif ch in rev:
            out += rev[ch].to_bytes(2, "big")
        else:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) is not in JIS X 0208")
    return bytes(out)


def encode_x0201(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if ch == "¥":
            out.append(0x5C)
        elif ch == "‾":
            out.append(0x7E)
        elif 0x20 <= o <= 0x7D and o != 0x5C:
            out.append(o)
        elif 0xFF61 <= o <= 0xFF9F:
            out.append(0xA1 + o - 0xFF61)
        else:
            raise ValueError(f"{ch!r} is not in JIS X 0201")
    return bytes(out)

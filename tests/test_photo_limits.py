"""Card-face photos (web capture and ``taimen ocr``) are refused above a pixel budget BEFORE decoding, or decoded
at reduced size (JPEG), so a small file cannot make taimen allocate gigabytes (issue 13, item 18: a
7000×7100 PNG took 1.1 GB)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from taimen.errors import OperatorInputError

ROOT = Path(__file__).resolve().parents[1]


def flat_png(width: int, height: int) -> bytes:
    """A valid RGB PNG of one colour, built row by row (never the whole image in memory): a few hundred KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    z = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * (width * 3)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "huge.png"
    path.write_bytes(flat_png(7000, 7100))
    return path


CHILD = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from taimen.errors import OperatorInputError
    {imports}
    data = Path(sys.argv[1]).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        {call}
        outcome = "decoded"
    except OperatorInputError:
        outcome = "refused"
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(outcome, (after - before) // 1024)
    """
)

DECODERS = {
    "web capture": ("from taimen.web.images import normalize_capture", "normalize_capture(data)"),
    "taimen ocr": ("from taimen.ocr.photo import decode", "decode(data)"),
}


@pytest.mark.parametrize("where", sorted(DECODERS))
def test_huge_png_costs_no_memory(huge_png: Path, where: str) -> None:
    imports, call = DECODERS[where]
    code = CHILD.format(imports=imports, call=call)
    out = subprocess.run(
        [sys.executable, "-c", code, str(huge_png)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    outcome, grown_mb = out.stdout.split()
    assert outcome == "refused"
    assert int(grown_mb) < 64, f"peak memory grew by {grown_mb} MB"


def test_the_budget_fits_a_card_photo() -> None:
    from taimen import photo_limits

    assert 12_000_000 <= photo_limits.MAX_PIXELS <= 25_000_000
    assert Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS <= photo_limits.MAX_PIXELS


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(out, "JPEG", quality=50)
    return out.getvalue()


def test_photo_within_budget_is_used() -> None:
    from taimen.ocr.photo import decode
    from taimen.web.images import normalize_capture

    png = flat_png(3000, 2000)
    jpeg, img = normalize_capture(png)
    assert jpeg[:3] == b"\xff\xd8\xff" and max(img.size) <= 2000
    assert decode(png).shape[2] == 3


@pytest.mark.parametrize("size", [(5100, 5000), (25_001, 1000)])
def test_png_and_webp_above_budget_refused_before_decoding(size: tuple[int, int]) -> None:
    from taimen.ocr.photo import decode
    from taimen.web.images import normalize_capture

    png = flat_png(*size)
    with pytest.raises(OperatorInputError):
        normalize_capture(png)
    with pytest.raises(OperatorInputError):
        decode(png)


def test_large_jpeg_is_decoded_at_reduced_size() -> None:
    """A JPEG of 8000×6000 (48 MP) is decoded in the DCT domain at 1/4 scale: within the budget, and accepted."""
    from taimen.web.images import normalize_capture

    _jpeg_out, img = normalize_capture(_jpeg(8000, 6000))
    assert max(img.size) <= 2000


def test_ocr_command_refuses_a_huge_png_with_one_line(huge_png: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "taimen", "ocr", str(huge_png)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr

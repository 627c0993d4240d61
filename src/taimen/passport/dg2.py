"""DG2: the encoded face (9303-10 §4.7.2): a CBEFF biometric group with ISO/IEC 19794-5 facial records.

``75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E data block } … } }``; the data block is an ISO 19794-5
(2005) record: ``FAC\\0`` ``010\\0``, record length, face count, then per face a 20-byte header, 8 bytes per
feature point, 12 bytes of image information and the JPEG or JPEG 2000 image. Every length is checked
against the bytes present, and the image is sized from its own header (core/images.py) before decoding.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import images, tlv
from taimen.errors import ParseError
from taimen.passport.lds import outer_value

MAX_FACES = 4
MAX_FEATURE_POINTS = 256
IMAGE_TYPES = {0: "jpeg", 1: "jp2"}


@dataclass(frozen=True, slots=True)
class Face:
    image: bytes
    mime: str
    width: int
    height: int
    declared_type: str  # "jpeg" or "jp2" as the record header says


def _u(data: bytes, pos: int, n: int) -> int:
    if pos + n > len(data):
        raise ParseError("ISO 19794-5 record truncated")
    return int.from_bytes(data[pos : pos + n], "big")


def parse_facial_record(bdb: bytes) -> list[Face]:
    if bdb[:4] != b"FAC\x00":
        raise ParseError("biometric data block is not an ISO 19794-5 facial record (FAC)")
    if bdb[4:8] != b"010\x00":
        raise ParseError(f"ISO 19794-5 version {bdb[4:8]!r} is not supported (010 expected)")
    total = _u(bdb, 8, 4)
    if total != len(bdb):
        raise ParseError(f"facial record claims {total} bytes, holds {len(bdb)}")
    count = _u(bdb, 12, 2)
    if not 1 <= count <= MAX_FACES:
        raise ParseError(f"facial record holds {count} faces")
    pos = 14
    faces = []
    for _ in range(count):
        start = pos
        length = _u(bdb, pos, 4)
        points = _u(bdb, pos + 4, 2)
        if points > MAX_FEATURE_POINTS:
            raise ParseError(f"{points} feature points")
        info = pos + 20 + 8 * points
        image_start = info + 12
        end = start + length
        if length < image_start - start or end > len(bdb):
            raise ParseError("facial record length disagrees with its contents")
        declared = IMAGE_TYPES.get(_u(bdb, info + 1, 1))
        if declared is None:
            raise ParseError(f"face image data type {bdb[info + 1]} is neither JPEG (0) nor JPEG 2000 (1)")
        width, height = _u(bdb, info + 2, 2), _u(bdb, info + 4, 2)
        image = bdb[image_start:end]
        probe = images.probe(image)  # refuses oversize or malformed headers before any decoding
        kind = "jp2" if probe.format in ("jp2", "j2k") else probe.format
        if kind != declared:
            raise ParseError(f"face image is {probe.format}, the record says {declared}")
        if (width, height) != (probe.width, probe.height) and width and height:
            raise ParseError("face image size disagrees with the record header")
        faces.append(Face(image, probe.mime, probe.width, probe.height, declared))
        pos = end
    return faces


def parse_dg2(data: bytes) -> list[Face]:
    group = tlv.parse_single(outer_value(data, 2), 0x7F61, allow_trailing_filler=False)
    children = group.children()
    count = tlv.index(children, unique=False).get(0x02)
    if count is None or len(count.value) != 1:
        raise ParseError("DG2 biometric group lacks its instance count")
    templates = [c for c in children if c.tag == 0x7F60]
    if len(templates) != count.value[0] or not templates:
        raise ParseError(f"DG2 announces {count.value[0]} faces and holds {len(templates)}")
    faces: list[Face] = []
    for t in templates[:MAX_FACES]:
        inner = tlv.index(t.children(depth=3), unique=True)
        block = inner.get(0x5F2E) or inner.get(0x7F2E)
        if block is None:
            raise ParseError("DG2 template without a biometric data block (5F2E)")
        faces += parse_facial_record(block.value)
    return faces


def encode_dg2(image: bytes, width: int, height: int, image_type: int) -> bytes:
    """A DG2 with one face (for the emulator's sample passports)."""
    header = (0).to_bytes(2, "big") + bytes((1, 0, 0)) + bytes(3) + bytes(2) + bytes(3) + bytes(3)
    info = bytes((1, image_type)) + width.to_bytes(2, "big") + height.to_bytes(2, "big") + bytes((1, 0, 0, 0, 0, 0))
    face = header + info + image
    face = (4 + len(face)).to_bytes(4, "big") + face
    record = b"FAC\x00010\x00" + (14 + len(face)).to_bytes(4, "big") + (1).to_bytes(2, "big") + face
    header_fields = tlv.encode(0x80, b"\x01\x01") + tlv.encode(0x87, b"\x01\x01") + tlv.encode(0x88, b"\x00\x08")
    bht = tlv.encode(0xA1, header_fields)
    template = tlv.encode(0x7F60, bht + tlv.encode(0x5F2E, record))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + template))

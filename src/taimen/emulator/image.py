"""The card-image file format (docs/card-image.md): a whole virtual card as JSON.

A card image describes the MF, the applications (DFs by AID), their EFs (content in hex or base64), access
rules, key references with their values and remaining tries, and card-type behaviours. It is how tests,
the demo, support staff and testers replay a card. Version 1.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from taimen.emulator.behaviours import REGISTRY
from taimen.emulator.card import (
    DEFAULT_ATR,
    QUERY_AFTER_VERIFY,
    DedicatedFile,
    ElementaryFile,
    KeyRef,
    VirtualCard,
)
from taimen.emulator.link import LinkModel
from taimen.errors import OperatorInputError

_FID = re.compile(r"[0-9A-Fa-f]{4}")
_KEY_REF = re.compile(r"(MF:)?[0-9A-Fa-f]{4}")

FORMAT = "taimen-card-image"
#: Version 2 adds a key's ``query_after_verify``; an image that does not use it is written as version 1, and
#: both load here (a version-1 loader refuses a version-2 image rather than answer its queries wrongly).
VERSION = 2
VERSIONS = (1, 2)
MAX_IMAGE_BYTES = 8 * 1024 * 1024


def _bytes(spec: dict[str, Any], stem: str) -> bytes:
    if f"{stem}_hex" in spec:
        return bytes.fromhex(spec[f"{stem}_hex"])
    if f"{stem}_b64" in spec:
        return base64.b64decode(spec[f"{stem}_b64"], validate=True)
    if f"{stem}_ascii" in spec:
        return spec[f"{stem}_ascii"].encode("ascii")
    raise OperatorInputError(f"card image: {stem}_hex, {stem}_b64 or {stem}_ascii expected")


def _fid(text: str) -> int:
    if not isinstance(text, str) or not _FID.fullmatch(text):
        raise OperatorInputError(f"card image: FID {text!r} must be 4 hex digits")
    return int(text, 16)


def _sfi(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 1 <= value <= 30:
        raise OperatorInputError(f"card image: SFI {value!r} must be an integer 1..30")
    return value


def _rule(spec: Any, df: DedicatedFile, mf: DedicatedFile | None) -> tuple[tuple[str, ...], ...]:
    """Access rule: a list of groups (any one group opens), each a list of key references (all needed)."""
    if not isinstance(spec, list) or not all(isinstance(g, list) and g for g in spec):
        raise OperatorInputError(f"card image: access rule {spec!r} must be a list of non-empty lists")
    for group in spec:
        for ref in group:
            if not isinstance(ref, str) or not _KEY_REF.fullmatch(ref):
                raise OperatorInputError(f"card image: key reference {ref!r} must be 'XXXX' or 'MF:XXXX' (hex)")
            holder = mf if ref.startswith("MF:") else df
            if holder is None or int(ref[-4:], 16) not in holder.keys:
                raise OperatorInputError(f"card image: access rule names key {ref}, which the image does not define")
    return tuple(tuple(g) for g in spec)


def _tries(spec: dict[str, Any]) -> tuple[int, int]:
    left, most = spec["tries_left"], spec.get("max_tries", spec["tries_left"])
    if type(left) is not int or type(most) is not int or not 0 <= left <= most or most < 1:
        raise OperatorInputError(f"card image: tries_left {left!r} / max_tries {most!r} must be 0 <= left <= max")
    return left, most


def _df_from_json(spec: dict[str, Any], mf: DedicatedFile | None = None) -> DedicatedFile:
    """One DF; ``mf`` is the already loaded MF (None while loading the MF itself)."""
    aid = bytes.fromhex(spec["aid"]) if spec.get("aid") else None
    if mf is not None and (aid is None or len(aid) > 16):
        raise OperatorInputError(f"card image: application {spec.get('name', '')!r} needs an AID of 1-16 bytes")
    df = DedicatedFile(name=spec.get("name", ""), aid=aid)
    for k in spec.get("keys", []):  # keys first: access rules refer to them
        left, most = _tries(k)
        fid = _fid(k["fid"])
        if fid in df.keys:
            raise OperatorInputError(f"card image: key {k['fid']} defined twice in {df.name!r}")
        query = k.get("query_after_verify", "9000")
        if query not in QUERY_AFTER_VERIFY:
            raise OperatorInputError(f"card image: query_after_verify {query!r} must be one of {QUERY_AFTER_VERIFY}")
        df.add_key(KeyRef(fid, _bytes(k, "value"), left, most, _sfi(k.get("sfi")), k.get("name", ""), query))
    for f in spec.get("files", []):
        fid = _fid(f["fid"])
        if fid in df.files or fid in df.keys:
            raise OperatorInputError(f"card image: FID {f['fid']} defined twice in {df.name!r}")
        df.add_file(
            ElementaryFile(
                fid=fid,
                data=_bytes(f, "data"),
                sfi=_sfi(f.get("sfi")),
                read=_rule(f.get("read", []), df, mf if mf is not None else df),
                name=f.get("name", ""),
            )
        )
    for fid, label in spec.get("key_objects", {}).items():
        df.key_objects[_fid(fid)] = label
    for b in spec.get("behaviours", []):
        factory = REGISTRY.get(b.get("type", ""))
        if factory is None:
            raise OperatorInputError(f"card image: unknown behaviour type {b.get('type')!r}")
        df.behaviours.append(factory(b))
    return df


def card_from_json(doc: dict[str, Any], *, link: LinkModel | None = None, realtime: bool = False) -> VirtualCard:
    """Build a card from a parsed card image; every defect is an ``OperatorInputError`` naming it."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise OperatorInputError(f"not a taimen card image (format must be {FORMAT!r})")
    if doc.get("version") not in VERSIONS:
        raise OperatorInputError(
            f"unsupported card-image version {doc.get('version')!r}; this taimen reads versions 1 and 2"
        )
    try:
        return _card_from_json(doc, link=link, realtime=realtime)
    except OperatorInputError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError) as exc:  # missing key, bad hex, wrong JSON type
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise OperatorInputError(f"card image is invalid: {what}") from exc


def _card_from_json(doc: dict[str, Any], *, link: LinkModel | None, realtime: bool) -> VirtualCard:
    mf = _df_from_json(doc["mf"])
    apps = [_df_from_json(a, mf) for a in doc.get("applications", [])]
    if len({a.aid for a in apps}) != len(apps):
        raise OperatorInputError("card image: two applications share an AID")
    max_response = doc.get("max_response", 65536)
    if type(max_response) is not int or not 1 <= max_response <= 65536:
        raise OperatorInputError(f"card image: max_response {max_response!r} must be 1..65536")
    if not isinstance(doc.get("extended_length", True), bool):
        raise OperatorInputError("card image: extended_length must be true or false")
    if not isinstance(doc.get("warm_reset_keeps_security", False), bool):
        raise OperatorInputError("card image: warm_reset_keeps_security must be true or false")
    card_behaviours = []
    for b in doc.get("card_behaviours", []):
        factory = REGISTRY.get(b.get("type", ""))
        if factory is None:
            raise OperatorInputError(f"card image: unknown behaviour type {b.get('type')!r}")
        card_behaviours.append(factory(b))
    return VirtualCard(
        mf,
        apps,
        atr=bytes.fromhex(doc["atr"]) if doc.get("atr") else DEFAULT_ATR,
        extended_length=doc.get("extended_length", True),
        max_response=max_response,
        link=link,
        realtime=realtime,
        card_type=doc.get("card_type", "generic"),
        behaviours=card_behaviours,
        description=doc.get("description", ""),
        sample=doc.get("sample"),
        warm_reset_keeps_security=doc.get("warm_reset_keeps_security", False),
    )


#: Longest integer literal in a card image (tries, SFIs, sizes): a 5 000-digit number is not one.
MAX_INT_DIGITS = 12


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits")
    return int(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def load_card(path: str | Path, **kw: Any) -> VirtualCard:
    """A card image from a file; a missing, unreadable or malformed file is an ``OperatorInputError``."""
    p = Path(path)
    try:
        if not p.is_file():
            raise OperatorInputError(
                f"card image {p} {'is not a file' if p.exists() else 'does not exist'}",
                message_ja=f"カードイメージ {p} が{'ファイルではありません' if p.exists() else '見つかりません'}。",
            )
        if p.stat().st_size > MAX_IMAGE_BYTES:
            raise OperatorInputError(f"card image larger than {MAX_IMAGE_BYTES} bytes")
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise OperatorInputError(
            f"cannot read card image {p}: {exc.strerror}", message_ja=f"カードイメージ {p} を読めません。"
        ) from None
    except UnicodeDecodeError as exc:
        raise OperatorInputError(f"card image {p} is not valid JSON (not UTF-8: {exc})") from None
    try:
        # Bounded: no huge integers, no NaN/Infinity; nesting beyond the C parser's limit is a RecursionError.
        doc = json.loads(text, parse_int=_int, parse_constant=_no_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        raise OperatorInputError(f"card image {p} is not valid JSON: {exc}") from None
    except RecursionError:
        raise OperatorInputError(f"card image {p} is nested too deeply to be a card image") from None
    return card_from_json(doc, **kw)


def _df_to_json(df: DedicatedFile) -> dict[str, Any]:
    out: dict[str, Any] = {"name": df.name}
    if df.aid is not None:
        out["aid"] = df.aid.hex().upper()
    out["files"] = [
        {
            "fid": f"{f.fid:04X}",
            **({"sfi": f.sfi} if f.sfi is not None else {}),
            **({"name": f.name} if f.name else {}),
            "data_b64" if len(f.data) > 64 else "data_hex": (
                base64.b64encode(f.data).decode() if len(f.data) > 64 else f.data.hex().upper()
            ),
            "read": [list(g) for g in f.read],
        }
        for f in df.files.values()
    ]
    out["keys"] = [
        {
            "fid": f"{k.fid:04X}",
            **({"sfi": k.sfi} if k.sfi is not None else {}),
            **({"name": k.name} if k.name else {}),
            "value_hex": k.value.hex().upper(),
            "tries_left": k.tries_left,
            "max_tries": k.max_tries,
            **({"query_after_verify": k.query_after_verify} if k.query_after_verify != "9000" else {}),
        }
        for k in df.keys.values()
    ]
    if df.key_objects:
        out["key_objects"] = {f"{fid:04X}": label for fid, label in df.key_objects.items()}
    out["behaviours"] = [b.to_json() for b in df.behaviours]  # type: ignore[attr-defined]
    return out


def card_to_json(
    card: VirtualCard, *, description: str | None = None, person: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The card image of ``card``; ``description`` and ``person`` (the "sample" metadata) default to the card's."""
    if person is None:
        person = card.sample
    uses_v2 = any(k.query_after_verify != "9000" for df in (card.mf, *card.applications) for k in df.keys.values())
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": 2 if uses_v2 else 1,
        "card_type": card.card_type,
        "description": card.description if description is None else description,
        "atr": card.atr.hex().upper(),
        "extended_length": card.extended_length,
        "max_response": card.max_response,
        **({"warm_reset_keeps_security": True} if card.warm_reset_keeps_security else {}),
        "mf": _df_to_json(card.mf),
        "applications": [_df_to_json(a) for a in card.applications],
    }
    if card.behaviours:
        doc["card_behaviours"] = [b.to_json() for b in card.behaviours]  # type: ignore[attr-defined]
    if person is not None:
        doc["sample"] = person
    return doc


def save_card(card: VirtualCard, path: str | Path, **kw: Any) -> None:
    Path(path).write_text(json.dumps(card_to_json(card, **kw), ensure_ascii=False, indent=1), encoding="utf-8")

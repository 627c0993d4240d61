"""The card-image file format (docs/card-image.md): a whole virtual card as JSON.

A card image describes the MF, the applications (DFs by AID), their EFs (content in hex or base64), access
rules, key references with their values and remaining tries, and card-type behaviours. It is how tests,
the demo, support staff and testers replay a card. Version 1.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from taimen.emulator.behaviours import REGISTRY
from taimen.emulator.card import DEFAULT_ATR, DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.emulator.link import LinkModel
from taimen.errors import OperatorInputError

FORMAT = "taimen-card-image"
VERSION = 1
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
    v = int(text, 16)
    if not 0 <= v <= 0xFFFF:
        raise OperatorInputError(f"card image: FID {text} out of range")
    return v


def _df_from_json(spec: dict[str, Any]) -> DedicatedFile:
    aid = bytes.fromhex(spec["aid"]) if spec.get("aid") else None
    df = DedicatedFile(name=spec.get("name", ""), aid=aid)
    for f in spec.get("files", []):
        df.add_file(
            ElementaryFile(
                fid=_fid(f["fid"]),
                data=_bytes(f, "data"),
                sfi=f.get("sfi"),
                read=tuple(tuple(g) for g in f.get("read", [])),
                name=f.get("name", ""),
            )
        )
    for k in spec.get("keys", []):
        df.add_key(
            KeyRef(
                fid=_fid(k["fid"]),
                value=_bytes(k, "value"),
                tries_left=int(k["tries_left"]),
                max_tries=int(k.get("max_tries", k["tries_left"])),
                sfi=k.get("sfi"),
                name=k.get("name", ""),
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
    if doc.get("format") != FORMAT:
        raise OperatorInputError(f"not a taimen card image (format must be {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise OperatorInputError(f"unsupported card-image version {doc.get('version')!r}; this taimen reads {VERSION}")
    mf = _df_from_json(doc["mf"])
    apps = [_df_from_json(a) for a in doc.get("applications", [])]
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
        extended_length=bool(doc.get("extended_length", True)),
        max_response=int(doc.get("max_response", 65536)),
        link=link,
        realtime=realtime,
        card_type=doc.get("card_type", "generic"),
        behaviours=card_behaviours,
    )


def load_card(path: str | Path, **kw: Any) -> VirtualCard:
    p = Path(path)
    if p.stat().st_size > MAX_IMAGE_BYTES:
        raise OperatorInputError(f"card image larger than {MAX_IMAGE_BYTES} bytes")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OperatorInputError(f"card image {p} is not valid JSON: {exc}") from exc
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
        }
        for k in df.keys.values()
    ]
    if df.key_objects:
        out["key_objects"] = {f"{fid:04X}": label for fid, label in df.key_objects.items()}
    out["behaviours"] = [b.to_json() for b in df.behaviours]  # type: ignore[attr-defined]
    return out


def card_to_json(card: VirtualCard, *, description: str = "", person: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "card_type": card.card_type,
        "description": description,
        "atr": card.atr.hex().upper(),
        "extended_length": card.extended_length,
        "max_response": card.max_response,
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

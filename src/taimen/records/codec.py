"""JSON forms of drafts (for the encrypted payload and the offline queue). Images are kept apart."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from taimen.records.model import BusinessFields, CheckSummary, ReasonSummary, RecordDraft, Retention
from taimen.result import Image

#: Draft fields stored in clear (indexable, not identifying the customer); everything else is encrypted.
PLAIN_FIELDS = ("presented_at", "operator", "counter", "document", "document_generation", "method", "verdict")


def personal_payload(d: RecordDraft) -> dict[str, Any]:
    b = d.business
    return {
        "name": d.name,
        "name_kana": d.name_kana,
        "address": d.address,
        "birth_date": d.birth_date,
        "document_number": d.document_number,
        "expiry": d.expiry,
        "checks": [[c.name, c.status, c.title_ja, c.required, c.title_en] for c in d.checks],
        "reasons": [[r.code, r.ja, r.en] for r in d.reasons],
        "chip_presence": d.chip_presence,
        "business": {
            "transaction_type": b.transaction_type,
            "purpose": b.purpose,
            "occupation": b.occupation,
            "reference": b.reference,
            "contract_end": b.contract_end.isoformat() if b.contract_end else None,
            "note": b.note,
        },
    }


def images_payload(images: dict[str, Image] | Any) -> dict[str, Any]:
    return {
        k: {"mime": v.mime, "description": v.description, "data": base64.b64encode(v.data).decode()}
        for k, v in images.items()
    }


def images_from(p: dict[str, Any]) -> dict[str, Image]:
    return {k: Image(v["mime"], base64.b64decode(v["data"]), v["description"]) for k, v in p.items()}


def draft_from_parts(plain: dict[str, Any], personal: dict[str, Any], images: dict[str, Image]) -> RecordDraft:
    b = personal["business"]
    return RecordDraft(
        idempotency_key=plain["idempotency_key"],
        presented_at=datetime.fromisoformat(plain["presented_at"]),
        operator=plain["operator"],
        counter=plain["counter"],
        document=plain["document"],
        document_generation=plain["document_generation"],
        method=plain["method"],
        # older records kept [name, status, title_ja, required] and [code, ja]: English is then empty
        checks=tuple(CheckSummary(c[0], c[1], c[2], bool(c[3]), *c[4:5]) for c in personal["checks"]),
        verdict=plain["verdict"],
        reasons=tuple(ReasonSummary(r[0], r[1], *r[2:3]) for r in personal["reasons"]),
        chip_presence=personal.get("chip_presence"),
        name=personal["name"],
        name_kana=personal["name_kana"],
        address=personal["address"],
        birth_date=personal["birth_date"],
        document_number=personal["document_number"],
        expiry=personal["expiry"],
        business=BusinessFields(
            transaction_type=b["transaction_type"],
            purpose=b["purpose"],
            occupation=b["occupation"],
            reference=b["reference"],
            contract_end=date.fromisoformat(b["contract_end"]) if b["contract_end"] else None,
            note=b["note"],
        ),
        retention=Retention(plain["retention"]),
        images=images,
    )


def plain_of(d: RecordDraft) -> dict[str, Any]:
    return {
        "idempotency_key": d.idempotency_key,
        "presented_at": d.presented_at.isoformat(),
        "operator": d.operator,
        "counter": d.counter,
        "document": d.document,
        "document_generation": d.document_generation,
        "method": d.method,
        "verdict": d.verdict,
        "retention": str(d.retention),
    }


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def draft_to_json(d: RecordDraft) -> bytes:
    return dumps({"plain": plain_of(d), "personal": personal_payload(d), "images": images_payload(d.images)})


def draft_from_json(raw: bytes) -> RecordDraft:
    o = json.loads(raw)
    return draft_from_parts(o["plain"], o["personal"], images_from(o["images"]))

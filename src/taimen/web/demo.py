"""The demo: sample persons' cards on a virtual reader, with their printed faces, switchable from a panel.

Sample cards are built in memory by the samples modules, lazily (each card's keys are generated when it is
first placed). The only thing written to disk is a temporary directory with the *public* test trust anchors
the sample cards verify against; it is deleted at exit. The persons are synthetic, but the discipline is the
same as for real customers: nothing personal stays on disk.
"""

from __future__ import annotations

import datetime as dt
import importlib
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Protocol

from taimen.emulator.card import VirtualCard
from taimen.samples.persons import Person
from taimen.web.readers import ReaderInfo, VirtualReader

GROUPS = ("genuine", "expired", "forged")
GROUP_JA = {"genuine": "真正", "expired": "期限切れ", "forged": "偽造"}

#: Japanese names of the My Number sample forgeries (the samples module describes them in English).
MYNUMBER_FORGERIES_JA = {
    "unknown-ca": "未知のCA鍵で署名し直したデータ",
    "photo-swapped": "署名後に顔写真を差し替え",
    "text-altered": "入力補助APの氏名を改ざん",
    "cvc-swapped": "券面APの証明書を入れ替え",
    "bad-cvc-signature": "証明書の署名が不正",
    "copy-mute": "データを複製した応答しないチップ",
    "copy-other-key": "データを複製した別の鍵のチップ",
    "any-b": "どの照合番号Bも受け付けるチップ",
}


class DemoReader(Protocol):
    """Where the demo puts its cards: the in-process ``VirtualReader`` or a ``VpcdSlot``."""

    name: str
    pull_during_next_read: bool

    def info(self) -> ReaderInfo: ...

    def insert(self, card: VirtualCard, label: str = "") -> None: ...

    def remove(self) -> None: ...

    def put_back(self) -> None: ...


@dataclass
class SampleEntry:
    key: str  # unique, e.g. "mynumber-yamada", "mynumber-forged-photo-swapped"
    document: str
    group: str  # "genuine" | "expired" | "forged"
    title_ja: str
    title_en: str
    make_card: Callable[[], VirtualCard]
    #: What the card face shows, as (label ja, label en, value): a hint for typing in the demo.
    printed: list[tuple[str, str, str]] = field(default_factory=list)
    make_face: Callable[[], bytes | None] = lambda: None
    expected: str = ""  # the verdict taimen must reach on this card
    _card: VirtualCard | None = None
    _face: bytes | None = None

    def card(self, realtime: bool) -> VirtualCard:
        if self._card is None:
            self._card = self.make_card()
            self._card.realtime = realtime
        return self._card

    def face(self) -> bytes | None:
        if self._face is None:
            self._face = self.make_face()
        return self._face


@dataclass(frozen=True, slots=True)
class OnReader:
    entry: SampleEntry

    @property
    def face_png(self) -> bytes | None:
        return self.entry.face()


class DemoCatalog:
    def __init__(
        self,
        entries: list[SampleEntry],
        reader: DemoReader | None = None,
        *,
        trust_dirs: tuple[str, ...] = (),
        realtime: bool = True,
        keep: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        self.entries = {e.key: e for e in entries}
        self.reader: DemoReader = reader or VirtualReader()
        self.trust_dirs = trust_dirs
        self.realtime = realtime
        self._keep = keep  # holds only public test trust anchors; deleted by close()
        self._on: OnReader | None = None
        self._lock = threading.Lock()

    @property
    def has_faces(self) -> bool:
        """Whether printed card faces can be rendered (the face renderer is installed)."""
        return _module("taimen.face") is not None

    @property
    def cards(self) -> list[dict[str, object]]:
        """For the panel, grouped: genuine, expired, forged."""
        return [
            {"key": e.key, "group": e.group, "title_ja": e.title_ja, "title_en": e.title_en, "document": e.document}
            for g in GROUPS
            for e in self.entries.values()
            if e.group == g
        ]

    def place(self, key: str) -> OnReader:
        entry = self.entries[key]
        with self._lock:  # building a card generates keys: one at a time
            card = entry.card(self.realtime)
        self._on = OnReader(entry)
        self.reader.insert(card, f"見本：{GROUP_JA[entry.group]}")
        return self._on

    def on_reader(self) -> OnReader | None:
        return self._on if self.reader.info().card_present else None

    def close(self) -> None:
        self.reader.remove()
        closer = getattr(self.reader, "close", None)
        if closer is not None:  # a vpcd slot: stop serving
            closer()
        if self._keep is not None:
            self._keep.cleanup()
            self._keep = None


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def _face_png(person_key: str | Person, document: str, forgery: str | None = None) -> bytes | None:
    """The printed card front of a sample person as a photo on the counter (PNG), when faces are installed.

    ``forgery`` ("name", "face" …: taimen.face.variants) prints someone else's details over the genuine chip.
    """
    face = _module("taimen.face")
    if face is None or not hasattr(face, "render"):
        return None
    import io

    from PIL import Image

    from taimen.samples.persons import person

    shown = person(person_key) if isinstance(person_key, str) else person_key
    if forgery is not None:
        from taimen.face.variants import forged

        shown = forged(shown, forgery)
    front = face.render(shown, document)
    scene = Image.new("RGB", (1600, 1000), (92, 74, 58))
    w = 1100
    card = front.resize((w, round(w * front.height / front.width)))
    mask = card.getchannel("A") if card.mode == "RGBA" else None
    scene.paste(card.convert("RGB"), ((1600 - w) // 2, (1000 - card.height) // 2), mask)
    out = io.BytesIO()
    scene.save(out, format="PNG")
    return out.getvalue()


def _page_png(p: object) -> bytes | None:
    """The passport's data page lying on the counter (PNG), for the camera step of the demo."""
    page = _module("taimen.face.passport")
    if page is None:
        return None
    import io

    from PIL import Image

    front = page.render(p)
    scene = Image.new("RGB", (1600, 1200), (92, 74, 58))
    w = 1200
    img = front.resize((w, round(w * front.height / front.width)))
    scene.paste(img.convert("RGB"), ((1600 - w) // 2, (1200 - img.height) // 2))
    out = io.BytesIO()
    scene.save(out, format="PNG")
    return out.getvalue()


def _mynumber_entries(today: dt.date) -> tuple[list[SampleEntry], Callable[[Path], None] | None]:
    mc = _module("taimen.samples.mynumber_cards")
    if mc is None:
        return [], None
    from taimen.samples.jlis_test_pki import default as default_pki
    from taimen.samples.persons import PERSONS, person

    def printed(pr: object) -> list[tuple[str, str, str]]:
        return [
            ("生年月日", "Date of birth", getattr(pr, "birth", "")),
            ("有効期限の年", "Expiry year", getattr(pr, "expiry_year", "")),
            ("セキュリティコード", "Security code", getattr(pr, "security_code", "")),
        ]

    out: list[SampleEntry] = []
    for p in PERSONS:
        expired = p.mynumber_expiry < today
        out.append(
            SampleEntry(
                key=f"mynumber-{p.key}",
                document="mynumber",
                group="expired" if expired else "genuine",
                title_ja=f"マイナンバーカード：{p.name}",
                title_en=f"My Number Card: {p.family_name} {p.given_name}".strip(),
                make_card=lambda k=p.key: mc.genuine(k).card(),
                make_face=lambda k=p.key: _face_png(k, "mynumber"),
                printed=printed(mc.printed_for(p)),
                expected="attention" if expired else "genuine",
            )
        )
    base = mc.printed_for(person("yamada"))
    for variant, (expected, description) in mc.FORGERIES.items():
        shown = base
        if variant == "any-b":  # its printed face claims other values (see the samples module)
            shown = type(base)(base.birth, base.birth_digits, base.calendar, "2036", "1234")
        out.append(
            SampleEntry(
                key=f"mynumber-forged-{variant}",
                document="mynumber",
                group="forged",
                title_ja=f"マイナンバーカード（偽造：{MYNUMBER_FORGERIES_JA.get(variant, variant)}）",
                title_en=f"My Number Card (forged: {description})",
                make_card=lambda v=variant: mc.forged(v).card(),
                make_face=lambda: _face_png("yamada", "mynumber"),  # the real face; the chip is the forgery
                printed=printed(shown),
                expected=expected,
            )
        )

    if _module("taimen.face.variants") is not None:
        for kind, ja, en in PRINTED_FORGERIES:
            out.append(
                SampleEntry(
                    key=f"mynumber-forged-face-{kind}",
                    document="mynumber",
                    group="forged",
                    title_ja=f"マイナンバーカード（偽造：{ja}）",
                    title_en=f"My Number Card (forged: {en})",
                    make_card=lambda: mc.genuine("yamada").card(),  # a genuine chip of its own
                    make_face=lambda k=kind: _face_png("yamada", "mynumber", k),
                    printed=printed(base),
                    expected="not_genuine",
                )
            )

    def trust(root: Path) -> None:
        default_pki().write_trust_dir(root)

    return out, trust


#: Genuine chips under a forged print (taimen.face.variants): caught by the chip-vs-face cross-check.
PRINTED_FORGERIES = (
    ("name", "券面の氏名だけ別人", "printed name of someone else"),
    ("face", "券面の氏名と写真が別人", "printed name and photo of someone else"),
)

#: Forged licences for the demo (the samples module builds genuine ones): (expected verdict, ja, en).
LICENSE_FORGERIES = {
    "photo-swapped": ("not_genuine", "署名後に写真を差し替え", "photo replaced after signing"),
    "resigned": ("attention", "未知の鍵で署名し直したデータ", "data re-signed by a key no trust store holds"),
}


def _license_entries(today: dt.date) -> tuple[list[SampleEntry], Callable[[Path], None] | None]:
    lc = _module("taimen.samples.license_cards")
    if lc is None:
        return [], None
    from cryptography.hazmat.primitives import serialization

    from taimen.emulator import license_card as emu
    from taimen.samples.persons import person

    signer, cert = lc.sample_signer()

    def printed(p: Person) -> list[tuple[str, str, str]]:
        f = p.license
        if f is None or not f.pin_set:
            return [("暗証番号", "PIN", "設定なし / none")]
        return [("暗証番号1", "PIN 1", f.pin1), ("暗証番号2", "PIN 2", f.pin2)]

    def printed_myna(p: Person) -> list[tuple[str, str, str]]:
        mc = _module("taimen.samples.mynumber_cards")
        rows: list[tuple[str, str, str]] = []
        if mc is not None:
            pr = mc.printed_for(p)
            rows = [("生年月日", "Date of birth", pr.birth), ("有効期限の年", "Expiry year", pr.expiry_year)]
            rows.append(("セキュリティコード", "Security code", pr.security_code))
        f = p.license
        rows.append(("免許情報の暗証番号", "Licence PIN", f.pin1 if f is not None and f.pin_set else "設定なし / none"))
        return rows

    def forged(variant: str) -> VirtualCard:
        p = person("yamada")
        if variant == "resigned":
            # Same issuer name and serial as the pinned signer, different key: what a forger can produce.
            rogue, _ = lc.sample_signer()
            forger = type(signer)(rogue.key, serial=signer.serial, issuer=signer.issuer, subject=signer.subject)
            return emu.build_license_card(p, forger)
        files = emu.build_license_files(p, signer)
        assert p.license is not None
        other = type(p)(**{**p.__dict__, "face_seed": 99})  # the forger's photo, inserted after signing
        files["df2_ef01"] = emu.build_photo(other, p.license)
        return emu.build_license_card(p, files=files)

    out: list[SampleEntry] = []
    for p in lc.license_persons():
        assert p.license is not None
        expired = p.license.expiry < today
        out.append(
            SampleEntry(
                key=f"license-{p.key}",
                document="license",
                group="expired" if expired else "genuine",
                title_ja=f"運転免許証：{p.name}",
                title_en=f"Driving licence: {p.family_name} {p.given_name}".strip(),
                make_card=lambda p=p: emu.build_license_card(p, signer),
                make_face=lambda k=p.key: _face_png(k, "license"),
                printed=printed(p),
                expected="attention" if expired else "genuine",
            )
        )
    for variant, (expected, ja, en) in LICENSE_FORGERIES.items():
        out.append(
            SampleEntry(
                key=f"license-forged-{variant}",
                document="license",
                group="forged",
                title_ja=f"運転免許証（偽造：{ja}）",
                title_en=f"Driving licence (forged: {en})",
                make_card=lambda v=variant: forged(v),
                make_face=lambda: _face_png("yamada", "license"),
                printed=printed(person("yamada")),
                expected=expected,
            )
        )

    myna = getattr(lc, "myna_license_card", None)
    for key in getattr(lc, "MYNA_LICENSE_PERSONS", ()) if myna is not None else ():
        p = person(key)
        assert p.license is not None
        hint = printed_myna(p)
        out.append(
            SampleEntry(
                key=f"myna-license-{key}",
                document="mynumber_license",
                group="expired" if p.license.expiry < today else "genuine",
                title_ja=f"マイナ免許証：{p.name}",
                title_en=f"My Number Card with licence: {p.family_name} {p.given_name}".strip(),
                make_card=lambda k=key: myna(k, signer)[0],
                make_face=lambda k=key: _face_png(k, "mynumber"),
                printed=hint,
                # the licence data's own signature cannot be verified (what it signs is not published)
                expected="attention",
            )
        )

    def trust(root: Path) -> None:
        d = root / "license"
        d.mkdir(parents=True, exist_ok=True)
        (d / "sample-signer.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    return out, trust


#: Japanese names of the residence sample forgeries (taimen.samples.residence_cards).
RESIDENCE_FORGERIES_JA = {
    "front": "署名後に券面画像を改ざん",
    "photo": "署名後に顔写真を差し替え",
    "resigned": "未知の鍵で署名し直したデータ",
    "any_number": "どの番号も受け付けるチップ",
    "gen1_as_gen2": "第2世代を名乗る第1世代のチップ",
}


def _passport_entries(today: dt.date) -> tuple[list[SampleEntry], Callable[[Path], None] | None]:
    pc = _module("taimen.samples.passport_cards")
    if pc is None:
        return [], None
    out: list[SampleEntry] = []
    for s in pc.all_samples():
        p = s.person
        l1, l2 = pc.mrz_lines(p)
        forged = s.failing_check is not None
        out.append(
            SampleEntry(
                key=f"passport-{s.key}",
                document="passport",
                group="forged" if forged else "genuine",
                title_ja=f"旅券{'（偽造）' if forged else ''}：{p.name_ja}",
                title_en=f"Passport{' (forged)' if forged else ''}: {p.surname} {p.given} — {s.description}",
                make_card=lambda s=s: s.card(),
                # the data page's MRZ: what the clerk types or the camera reads (the access key, never stored)
                printed=[("MRZ 1行目", "MRZ line 1", l1), ("MRZ 2行目", "MRZ line 2", l2),
                         ("旅券番号", "Document number", p.number), ("生年月日", "Date of birth", p.birth),
                         ("有効期間満了日", "Expiry", p.expiry)],
                expected=s.expected_verdict,
                make_face=lambda p=p: _page_png(p),
            )
        )

    def trust(root: Path) -> None:
        d = root / "csca"
        d.mkdir(parents=True, exist_ok=True)
        from cryptography.hazmat.primitives import serialization

        (d / pc.TRUST_FILE).write_bytes(pc.pki().csca.public_bytes(serialization.Encoding.PEM))

    return out, trust


def _residence_entries(today: dt.date) -> tuple[list[SampleEntry], Callable[[Path], None] | None]:
    rc = _module("taimen.samples.residence_cards")
    if rc is None:
        return [], None
    from cryptography.hazmat.primitives import serialization

    pki = rc.make_pki()
    out: list[SampleEntry] = []
    for s in rc.samples():
        printed_number = s.unlock_number or s.number  # the any-number chip's face claims another number
        p = s.person
        if printed_number != s.number and p.residence is not None:
            p = replace(p, residence=replace(p.residence, card_number=printed_number))
        kind_ja = "特別永住者証明書" if s.sprc else "在留カード"
        kind_en = "SPRC" if s.sprc else "Residence card"
        gen = "第1世代" if s.generation == 1 else "第2世代"
        name = f"{s.person.family_name} {s.person.given_name}".strip()
        if s.forgery:
            group = "forged"
            title_ja = f"{kind_ja}（偽造：{RESIDENCE_FORGERIES_JA.get(s.forgery, s.forgery)}）"
            title_en = f"{kind_en} (forged: {s.description.removeprefix('FORGED: ')})"
        else:
            group = "expired" if s.expected_verdict != "genuine" else "genuine"
            title_ja = f"{kind_ja}（{gen}）：{name}"
            title_en = f"{kind_en} (gen {s.generation}): {name}"
        out.append(
            SampleEntry(
                key=f"residence-{s.key}",
                document="residence",
                group=group,
                title_ja=title_ja,
                title_en=title_en,
                make_card=lambda s=s: rc.build_card(s, pki),
                make_face=lambda p=p: _face_png(p, "residence"),
                printed=[("在留カード等番号", "Card number", printed_number)],
                expected=s.expected_verdict,
            )
        )

    # Genuine chips under a face printed with another birth date: caught only by the chip-vs-face comparison
    # (gen 2: the chip's text; gen 1: the chip's front image read by OCR).
    if _module("taimen.face.variants") is not None:
        by = {s.key: s for s in rc.samples()}
        for key, gen in (("rc2-smith", 2), ("rc1-nguyen", 1)):
            s = by[key]
            out.append(
                SampleEntry(
                    key=f"residence-forged-face-birth-gen{gen}",
                    document="residence",
                    group="forged",
                    title_ja=f"在留カード（偽造：券面の生年月日だけ別の日付・第{gen}世代の本物のチップ）",
                    title_en=f"Residence card (forged: printed birth date altered over a genuine gen-{gen} chip)",
                    make_card=lambda s=s: rc.build_card(s, pki),
                    make_face=lambda p=s.person: _face_png(p, "residence", "birth_date"),
                    printed=[("在留カード等番号", "Card number", s.number)],
                    expected="not_genuine",
                )
            )

    def trust(root: Path) -> None:
        d = root / "residence"
        d.mkdir(parents=True, exist_ok=True)
        for name, cert in (("sample-zairyucard-ca.pem", pki.ca1), ("sample-zairyucard-ca2.pem", pki.ca2)):
            (d / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    return out, trust


def load_catalog(
    reader: DemoReader | None = None, *, realtime: bool = True, today: dt.date | None = None
) -> DemoCatalog:
    """Every sample card the installed sample modules provide, and a temporary trust directory for them."""
    today = today or dt.date.today()
    entries: list[SampleEntry] = []
    trust_writers: list[Callable[[Path], None]] = []
    for build in (_mynumber_entries, _license_entries, _residence_entries, _passport_entries):
        found, trust = build(today)
        entries += found
        if trust is not None:
            trust_writers.append(trust)
    keep: tempfile.TemporaryDirectory[str] | None = None
    trust_dirs: tuple[str, ...] = ()
    if trust_writers:
        keep = tempfile.TemporaryDirectory(prefix="taimen-demo-trust-")
        for write in trust_writers:
            write(Path(keep.name))
        trust_dirs = (keep.name,)
    return DemoCatalog(entries, reader, trust_dirs=trust_dirs, realtime=realtime, keep=keep)

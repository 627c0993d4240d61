"""The demo: sample persons' cards on a virtual reader, with their printed faces, switchable from a panel.

Sample cards are built by the samples modules into a temporary directory, loaded into memory, and the
directory is deleted before the app serves anything: the persons are synthetic, but the discipline is the
same as for real customers (nothing personal stays on disk).
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from taimen.emulator.card import VirtualCard
from taimen.web.readers import VirtualReader

VARIANTS = ("genuine", "expired", "forged")


@dataclass
class Variant:
    card: VirtualCard
    face_png: bytes | None = None  # the printed card face (what the camera would see)


@dataclass
class SampleCard:
    key: str  # "<document>:<person>"
    document: str
    person: str
    title_ja: str
    title_en: str
    variants: dict[str, Variant] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OnReader:
    card: SampleCard
    variant: str
    face_png: bytes | None


class DemoCatalog:
    def __init__(
        self,
        cards: list[SampleCard],
        reader: VirtualReader | None = None,
        trust_dirs: tuple[str, ...] = (),
        keep: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        self.samples = {c.key: c for c in cards}
        self.reader = reader or VirtualReader()
        self.trust_dirs = trust_dirs
        self._keep = keep  # holds only public test trust anchors, deleted by close()
        self._on: OnReader | None = None

    def close(self) -> None:
        self.reader.remove()
        if self._keep is not None:
            self._keep.cleanup()
            self._keep = None

    @property
    def cards(self) -> list[dict[str, object]]:
        """For the panel: key, titles and which variants exist."""
        return [
            {
                "key": c.key,
                "title_ja": c.title_ja,
                "title_en": c.title_en,
                "variants": [v for v in VARIANTS if v in c.variants],
            }
            for c in self.samples.values()
        ]

    def place(self, key: str, variant: str) -> OnReader:
        sample = self.samples[key]
        v = sample.variants[variant]
        label = f"{sample.title_ja}／{variant}"
        self._on = OnReader(sample, variant, v.face_png)
        self.reader.insert(v.card, label)
        return self._on

    def on_reader(self) -> OnReader | None:
        info = self.reader.info()
        return self._on if info.card_present else None


#: Builders of sample cards (work directory, realtime) → SampleCards. Filled as sample modules land.
BUILDERS: list[Callable[[str, bool], list[SampleCard]]] = []


def load_catalog(reader: VirtualReader | None = None, *, realtime: bool = True) -> DemoCatalog:
    """Build every sample card (in a temporary directory deleted before returning)."""
    cards: list[SampleCard] = []
    with tempfile.TemporaryDirectory(prefix="taimen-demo-") as tmp:
        for builder in BUILDERS:
            cards.extend(builder(tmp, realtime))
    return DemoCatalog(cards, reader)


def _module(name: str) -> object | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise

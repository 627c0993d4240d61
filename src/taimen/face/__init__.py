"""Card-face rendering: realistic fronts of the sample persons' cards, for tests, the demo and benchmarks.

One module per document layout (``mynumber``, ``license``, ``residence``) draws onto the shared layout data
in ``taimen.ocr.layouts``; ``degrade`` turns a flat card face into a camera photo; ``variants`` makes forged
printed faces whose name, birth date or photo differ from the chip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

    from taimen.samples.persons import Person

DOCUMENTS = ("mynumber", "license", "residence")


def render(person: Person, document: str, *, ppm: float = 16.0) -> Image.Image:
    """The printed front of ``person``'s ``document`` as an RGBA image (transparent outside the rounded card)."""
    if document == "mynumber":
        from taimen.face import mynumber as mod
    elif document == "license":
        from taimen.face import license as mod  # type: ignore[no-redef]
    elif document == "residence":
        from taimen.face import residence as mod  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown document {document!r}; known: {', '.join(DOCUMENTS)}")
    return mod.render(person, ppm=ppm)


def documents_of(person: Person) -> tuple[str, ...]:
    """The documents this person holds (everyone has a My Number Card)."""
    out = ["mynumber"]
    if person.license is not None:
        out.append("license")
    if person.residence is not None:
        out.append("residence")
    return tuple(out)

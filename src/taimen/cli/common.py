"""Helpers shared by CLI commands: opening a transport, progress, printing results."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from taimen.errors import OperatorInputError

if TYPE_CHECKING:  # annotations only: this module is imported while the parser is built
    from taimen.core.conversation import Progress, Transport
    from taimen.documents import Document
    from taimen.result import ReadResult


def add_transport_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--reader", metavar="NAME", help="PC/SC reader name (or a unique part of it)")
    g.add_argument("--card-image", metavar="FILE", help="read a virtual card from a card-image file")
    p.add_argument("--short-apdu-reader", action="store_true", help="with --card-image: model a short-APDU-only reader")
    p.add_argument("--trace", metavar="FILE", help="write a redacted APDU trace for support")


def add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON (docs/json-output.md)")
    p.add_argument(
        "--photo-out",
        metavar="FILE",
        help="write the chip photo to FILE (on request only): as PNG if FILE ends in .png, else as the chip stores it",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--trust-dir", action="append", default=[], metavar="DIR", help="more trust anchors")
    p.add_argument("--confirm-last-try", action="store_true", help="allow a VERIFY when only one try is left")


def check_output_path(path: str | None, flag: str) -> None:
    """Refuse an output file that cannot be written, BEFORE the card is read (else the verdict would be lost
    after the read, and a try may have been spent for nothing)."""
    if not path:
        return
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    problem = ""
    if p.is_dir():
        problem, ja = "is a directory", "はディレクトリです"
    elif not parent.is_dir():
        problem, ja = f"cannot be written: folder {parent} does not exist", f"のフォルダ {parent} がありません"
    elif not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        problem, ja = "cannot be written (permission denied)", "に書き込めません（権限がありません）"
    if problem:
        raise OperatorInputError(f"{flag} {path} {problem}", message_ja=f"{flag} {path} {ja}。")


def write_output(path: str, data: bytes | str, flag: str) -> None:
    try:
        if isinstance(data, str):
            Path(path).write_text(data, encoding="utf-8")
        else:
            Path(path).write_bytes(data)
    except OSError as exc:
        raise OperatorInputError(
            f"{flag} {path}: {exc.strerror}", message_ja=f"{flag} {path} に書き込めません。"
        ) from None


def photo_bytes(result: ReadResult, path: str, lang: str) -> bytes | None:
    """The chip photo for ``--photo-out``: converted to PNG for a ``.png`` file (a chip's JPEG 2000 is decoded
    only here, with the card-image size limits), else as stored. None, with a line on stderr, if it cannot be
    converted: the read's result is printed all the same."""
    assert result.photo is not None
    if not path.lower().endswith(".png") or result.photo.mime == "image/png":
        return result.photo.data
    from taimen.core import images
    from taimen.errors import ParseError

    try:
        return images.to_png(result.photo.data)
    except ParseError as exc:
        print(
            f"--photo-out {path}: 顔写真を PNG に変換できないため書き出していません（{exc}）。"
            "別の拡張子なら記録のまま保存します。"
            if lang == "ja"
            else f"--photo-out {path}: not written, the chip photo cannot be converted to PNG ({exc}); use another "
            "extension to save it as stored",
            file=sys.stderr,
        )
        return None


def check_outputs(args: argparse.Namespace) -> None:
    check_output_path(getattr(args, "trace", None), "--trace")
    check_output_path(getattr(args, "photo_out", None), "--photo-out")


def open_transport(args: argparse.Namespace) -> Transport:
    if getattr(args, "card_image", None):
        from taimen.emulator.image import load_card
        from taimen.transport.inprocess import InProcessTransport

        card = load_card(args.card_image)
        transport: Transport = InProcessTransport(
            card, reader_extended=not args.short_apdu_reader, name=f"card image {args.card_image}"
        )
    else:
        from taimen.transport.pcsc import PcscTransport

        transport = PcscTransport.open(args.reader)
    if getattr(args, "trace", None):
        from taimen.transport.trace import TracingTransport

        transport = TracingTransport(transport)
    return transport


def finish_transport(transport: Transport, args: argparse.Namespace) -> None:
    from taimen.transport.trace import TracingTransport

    try:
        if isinstance(transport, TracingTransport) and args.trace:
            write_output(args.trace, transport.trace.text(), "--trace")
    finally:
        transport.close()


class ProgressBar:
    """A one-line progress indicator on stderr (hidden when stderr is not a terminal)."""

    def __init__(self, enabled: bool, expected: int = 30) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.expected = expected

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        frac = min(1.0, p.exchanges / self.expected)
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r読み取り中 [{bar:<30}] {p.exchanges:3d} {p.step[:40]:<40}")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 90 + "\r")
            sys.stderr.flush()


def emit_result(result: ReadResult, args: argparse.Namespace) -> int:
    if getattr(args, "photo_out", None) and result.photo is not None:
        data = photo_bytes(result, args.photo_out, getattr(args, "lang", "ja"))
        if data is not None:
            write_output(args.photo_out, data, "--photo-out")
    if args.json:
        import json

        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from taimen.render_text import render

        sys.stdout.write(render(result, lang=getattr(args, "lang", "ja")))
    status = result.verdict.status if result.verdict else None
    return {"genuine": 0, "attention": 10, "not_genuine": 11}.get(str(status), 12)


def read_with(document: Document, unlock: dict[str, str], args: argparse.Namespace, *, expected: int) -> ReadResult:
    """Read one document with the shared transport/progress options, then drop the unlock values."""
    try:
        check_outputs(args)
        transport = open_transport(args)
        progress = ProgressBar(not args.no_progress, expected=expected)
        try:
            return document.read(
                transport,
                unlock,
                confirm_last_try=args.confirm_last_try,
                trust_dirs=tuple(args.trust_dir),
                on_progress=progress,
            )
        finally:
            progress.done()
            finish_transport(transport, args)
    finally:
        unlock.clear()


def read_document(document_key: str, unlock: dict[str, str], args: argparse.Namespace, *, expected: int) -> int:
    """``taimen read KEY``: read, then print the result."""
    from taimen.documents import get

    return emit_result(read_with(get(document_key), unlock, args, expected=expected), args)

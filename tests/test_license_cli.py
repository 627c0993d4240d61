"""``taimen read license`` as an operator runs it (in-process card images): output, exit codes, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from license_helpers import assert_no_pin, card_for, with_facts, write_trust_dir
from taimen.emulator.image import save_card
from taimen.emulator.license_card import build_license_card
from taimen.samples.license_cards import build as build_samples

SRC = Path(__file__).resolve().parents[1] / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC)}


def taimen(*args: str, lang: str = "ja") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "taimen", "--lang", lang, *args], capture_output=True, text=True,
                          env=ENV, timeout=120, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    build_samples(out)
    return out


def test_samples_written_with_reference_sizes(samples: Path) -> None:
    names = sorted(p.name for p in samples.glob("license-*.json"))
    assert names == [f"license-{k}.json" for k in ("expired", "foreign", "long", "showa64", "yamada-nophoto", "yamada")]
    doc = json.loads((samples / "license-yamada.json").read_text(encoding="utf-8"))
    sizes = {f["fid"]: f for a in doc["applications"] for f in a["files"] if a["name"].startswith("DF1")}
    import base64

    def size(f: dict) -> int:
        return len(base64.b64decode(f["data_b64"])) if "data_b64" in f else len(bytes.fromhex(f["data_hex"]))

    assert [size(sizes[f"{i:04X}"]) for i in range(1, 8)] == [880, 82, 264, 640, 663, 256, 578]
    mf = {f["fid"]: size(f) for f in doc["mf"]["files"]}
    assert mf == {"2F01": 17, "000A": 3}
    keys = {k["fid"]: (k["sfi"], k["max_tries"]) for k in doc["mf"]["keys"]}
    assert keys == {"0001": (1, 3), "0002": (2, 3)}
    assert (samples / "trust" / "license" / "sample-signer.pem").is_file()


def test_text_output_and_exit_codes(samples: Path) -> None:
    done = taimen("read", "license", "--card-image", str(samples / "license-yamada.json"), "--pin1", "1234",
                  "--pin2", "5678", "--trust-dir", str(samples / "trust"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "判定: データ真正（チップ未証明）" in done.stdout  # a licence cannot prove its chip
    assert "令和2年4月8日" in done.stdout and "502年" not in done.stdout
    assert "追記 新住所1" in done.stdout
    no_key = taimen("read", "license", "--card-image", str(samples / "license-yamada.json"), "--pin1", "1234")
    assert no_key.returncode == 10 and "判定: 要確認" in no_key.stdout


def test_english_and_no_pin_card(samples: Path) -> None:
    done = taimen("read", "license", "--card-image", str(samples / "license-showa64.json"), "--json", lang="en")
    out = json.loads(done.stdout)
    assert out["fields"]["pin"]["dpin_used"] is True
    assert out["card_expiry"]["display_ja"].startswith("平成33年")
    assert out["card_expiry"]["iso"] == "2021-02-07" and "past_era_end" in out["card_expiry"]["flags"]


def test_wrong_pin_message_and_last_try(tmp_path: Path) -> None:
    image = tmp_path / "card.json"
    save_card(card_for("yamada", tries=(1, 3)), image)
    refused = taimen("read", "license", "--card-image", str(image), "--pin1", "1234")
    assert refused.returncode == 4
    assert "残り回数は1回" in refused.stderr and "警察署" in refused.stderr
    ok = taimen("read", "license", "--card-image", str(image), "--pin1", "1234", "--confirm-last-try")
    assert ok.returncode in (0, 10), ok.stderr
    save_card(card_for("yamada"), image)  # a card image does not keep the counter between runs
    wrong = taimen("read", "license", "--card-image", str(image), "--pin1", "9999")
    assert wrong.returncode == 3 and "暗証番号1が違います（残り2回）" in wrong.stderr


def test_no_pin_in_json_or_trace(tmp_path: Path) -> None:
    p = with_facts("yamada", pin1="8041", pin2="9273")
    image, trace = tmp_path / "card.json", tmp_path / "trace.txt"
    save_card(build_license_card(p), image)
    trust = write_trust_dir(tmp_path / "trust")
    photo = tmp_path / "photo.png"
    args = ["--pin1", "8041", "--pin2", "9273", "--json", "--trace", str(trace), "--photo-out", str(photo)]
    done = taimen("read", "license", "--card-image", str(image), "--trust-dir", str(trust), *args)
    assert done.returncode == 10, done.stderr  # signed with another key: not verifiable with this trust dir
    out = json.loads(done.stdout)
    assert_no_pin(done.stdout, ("8041", "9273"), json_doc=out)
    trace_text = trace.read_text(encoding="utf-8")
    assert "VERIFY" in trace_text and "<redacted>" in trace_text
    assert_no_pin(trace_text, ("8041", "9273"))
    assert_no_pin(done.stderr, ("8041", "9273"))
    assert photo.read_bytes().startswith(b"\x89PNG")


def test_every_sample_reads_to_its_expected_verdict(samples: Path) -> None:
    from taimen.emulator.image import load_card
    from taimen.license.document import DOCUMENT
    from taimen.license.myna_document import DOCUMENT as MYNA
    from taimen.transport.inprocess import InProcessTransport

    trust = (str(samples / "trust"),)
    images = sorted(samples.glob("license-*.json")) + sorted(samples.glob("myna-license-*.json"))
    assert len(images) == 8
    for path in images:
        sample = json.loads(path.read_text(encoding="utf-8"))["sample"]
        t = InProcessTransport(load_card(path))
        if sample["document"] == "license":
            unlock = {k: sample[k] for k in ("pin1", "pin2") if sample[k]}
            res = DOCUMENT.read(t, unlock, trust_dirs=trust)
        else:
            res = MYNA.read(t, sample["unlock"], trust_dirs=trust)
        assert res.verdict is not None and res.verdict.status == sample["expected_verdict"], path.name


def test_photo_out_png_converts_other_names_keep_the_chip_bytes(tmp_path: Path) -> None:
    """The read keeps the JPEG 2000 as stored; ``--photo-out x.png`` decodes it (bounded), another name writes
    the chip's bytes; a photo that cannot be decoded writes nothing, says so, and the verdict still prints."""
    from license_helpers import files_for, person, signer
    from taimen.core.tlv import encode, parse_single

    image = tmp_path / "card.json"
    save_card(card_for("yamada"), image)
    png, jp2 = tmp_path / "p.png", tmp_path / "p.jp2"
    for out in (png, jp2):
        done = taimen("read", "license", "--card-image", str(image), "--pin1", "1234", "--pin2", "5678",
                      "--no-progress", "--photo-out", str(out))  # fmt: skip
        assert done.returncode in (0, 10), done.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    assert jp2.read_bytes().startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n")

    files = dict(files_for("yamada"))
    value = bytearray(parse_single(files["df2_ef01"], 0x5F40).value)
    cod = value.find(b"\xff\x52")
    value[cod + 9] = 40  # 40 wavelet levels: the header is sound, the codestream cannot be decoded
    files["df2_ef01"] = encode(0x5F40, bytes(value))
    save_card(build_license_card(person("yamada"), signer(), files=files), image)
    bad = tmp_path / "bad.png"
    done = taimen("read", "license", "--card-image", str(image), "--pin1", "1234", "--pin2", "5678",
                  "--no-progress", "--photo-out", str(bad))  # fmt: skip
    assert done.returncode in (10, 11), done.stderr
    assert "PNG に変換できない" in done.stderr and not bad.exists()
    assert "判定" in done.stdout or "結果" in done.stdout

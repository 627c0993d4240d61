"""The residence card's result screen from a hand-made ReadResult of taimen.residence's contract shape:
status, period (expired flagged in words), the work-restriction badge, the address history, the chip's face
images beside the captured face, and the 失効情報照会 action (a plain new-tab link, nothing sent)."""

from __future__ import annotations

import io
import re
from datetime import date

from PIL import Image as PILImage
from starlette.testclient import TestClient

from taimen.documents import TriesReport
from taimen.result import Check, CheckStatus, DateValue, Image, ReadResult
from taimen.web import residence_view
from taimen.web.app import State
from taimen.web.context import DEFAULT_REVOCATION_URL, tries_json
from taimen.web.reading import display_images
from taimen.web.security import Guard

NUMBER = "AB12345678CD"


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def gen2(*, expired: bool = False, work: str = "2", sprc: bool = False) -> ReadResult:
    period_end = "2024-03-31" if expired else "2031-03-31"
    fields: dict[str, object] = {
        "generation": 2,
        "card_type": "06" if sprc else "05",
        "kind": "special_permanent_resident_certificate" if sprc else "residence_card",
        "card_number": NUMBER,
        "nationality": {"code": "156", "ja": "中国", "en": "China"},
        "spec_version": "0001",
    }
    if not sprc:
        fields.update(
            {
                "status_of_residence": {"code": "21", "ja": "技術・人文知識・国際業務", "en": "Engineer/Specialist"},
                "period_of_stay": {"raw": "0500", "years": 5, "months": 0, "indefinite": False},
                "period_expiry": {
                    "iso": period_end,
                    "display_ja": period_end,
                    "raw": period_end.replace("-", ""),
                    "flags": [],
                    "expired": expired,
                },
                "permission": {"type": {"code": "01", "ja": "在留期間更新許可"}, "date": "20260401"},
                "work_restriction": {
                    "code": work,
                    "ja": {"1": "就労制限なし", "2": "在留資格に基づく就労活動のみ可", "9": "就労不可"}[work],
                    "en": {"1": "no work restriction", "2": "work only under the status", "9": "not permitted"}[work],
                },
                "permission_outside_status": {"comprehensive": {"code": "1", "ja": "許可：原則週28時間以内"}},
                "renewal_application": {"code": "0", "pending": False},
            }
        )
    return ReadResult(
        document="residence",
        birth_date=DateValue("1990-05-01", "平成2年5月1日", "19900501"),
        sex="female",
        card_expiry=DateValue("2031-03-31", "2031年3月31日", "20310331"),
        photo=Image("image/png", _png((200, 150, 120))),
        images={"name": Image("image/png", _png((10, 10, 10))), "address": Image("image/png", _png((30, 30, 30)))},
        fields=fields,
        checks=[Check("residence.signature", CheckStatus.PASSED, "署名", "signature")],
    ).finish()


def gen1() -> ReadResult:
    return ReadResult(
        document="residence",
        photo=Image("image/png", _png((200, 150, 120))),
        images={"front": Image("image/png", _png((255, 255, 255), (170, 108)))},
        fields={
            "generation": 1,
            "card_type": "1",
            "kind": "residence_card",
            "card_number": None,  # gen 1 holds the number only as its key
            "address_entries": [
                {"date": "20200401", "municipality_code": "131016", "address": "東京都千代田区霞が関1-1-1"},
                {"date": "20230910", "municipality_code": "141003", "address": "神奈川県横浜市中区山下町2-3"},
            ],
            "renewal_application": {"code": "1", "pending": True},
            "permission_outside_status": {"comprehensive_text": "許可：原則週２８時間以内", "individual_text": ""},
        },
        checks=[Check("residence.signature", CheckStatus.PASSED, "署名", "signature")],
    ).finish()


def _show(client: TestClient, result: ReadResult, printed: dict[str, str] | None = None) -> str:
    st: State = client.app.state.taimen  # type: ignore[attr-defined]
    with st.session.lock:
        st.session.set_result(result, display_images(result))
        st.session.printed = printed or {}
    r = client.get("/result")
    assert r.status_code == 200
    return r.text


def _text(html: str, ident: str) -> str:
    tag = re.search(rf'<(\w+)[^>]*id="{ident}"', html)
    assert tag, ident
    m = re.search(rf'id="{ident}"[^>]*>(.*?)</{tag.group(1)}>', html, re.S)
    assert m, ident
    return re.sub(r"<[^>]+>", " ", m.group(1))


def test_gen2_shows_status_period_work_badge_and_lookup(client: TestClient) -> None:
    html = _show(client, gen2())
    assert 'id="rc-panel"' in html
    assert "技術・人文知識・国際業務" in html
    assert "5年" in html and "2031年" in html
    assert 'data-badge="limited"' in html and "就労制限あり" in html
    assert "在留資格に基づく就労活動のみ可" in html
    assert "許可：原則週28時間以内" in html
    assert 'id="rc-period-expired"' not in html
    # the name image beside the captured face, the address image in the address block, not twice
    assert 'id="chip-front" src="/result/image/name.png' in html
    assert 'id="rc-address-image" src="/result/image/address.png' in html
    assert html.count("/result/image/name.png") == 1
    # 失効情報照会: a new-tab link to the configured page, no opener or referrer, and the values to type
    link = re.search(r'<a [^>]*id="rc-lookup-open"[^>]*>', html)
    assert link is not None
    assert f'href="{DEFAULT_REVOCATION_URL}"' in link.group(0)
    assert 'target="_blank"' in link.group(0) and 'rel="noopener noreferrer"' in link.group(0)
    assert NUMBER in _text(html, "rc-number")
    assert "20310331" in _text(html, "rc-expiry")
    assert "<form" not in html.split('id="rc-lookup"')[1].split("</section>")[0]  # nothing is submitted


def test_expired_period_is_red_in_words(client: TestClient) -> None:
    html = _show(client, gen2(expired=True))
    assert 'id="rc-period-expired"' in html and "満了日経過" in html
    assert 'class="rc-item rc-bad" data-item="period"' in html
    assert "在留期間の満了日を過ぎています" in html


def test_work_badges(client: TestClient) -> None:
    assert 'data-badge="none"' in _show(client, gen2(work="9"))
    html = _show(client, gen2(work="1"))
    assert 'data-badge="free"' in html and "就労制限なし" in html


def test_sprc_shows_only_what_it_has(client: TestClient) -> None:
    html = _show(client, gen2(sprc=True))
    assert "特別永住者証明書" in html
    for absent in ('data-item="status"', 'data-item="period"', 'id="rc-work"', 'data-item="outside"'):
        assert absent not in html
    assert 'data-item="nationality"' in html and NUMBER in html


def test_gen1_address_history_latest_first_and_front_image(client: TestClient) -> None:
    html = _show(client, gen1(), {"card_expiry": "2029年12月24日"})
    latest = _text(html, "rc-address-latest")
    assert "神奈川県横浜市中区山下町2-3" in latest
    assert html.index("神奈川県横浜市") < html.index("東京都千代田区霞が関1-1-1")
    assert 'id="chip-front" src="/result/image/front.png' in html
    # gen 1 keeps status, period and work restriction as an image only: pointed at, never guessed
    assert "券面を画像でのみ記録" in html and 'data-badge="unknown"' in html
    assert "申請中" in html and "許可：原則週２８時間以内" in html
    # no number on a gen-1 chip: the operator types the printed one, taimen did not keep the typed key
    assert 'id="rc-number-printed"' in html and NUMBER not in html
    # the lookup's expiry comes from the printed face, said so
    assert "20291224" in _text(html, "rc-expiry") and "券面から読み取った値" in html


def test_english_switch(client: TestClient, guard: Guard) -> None:
    client.post("/lang", data={"lang": "en", "next": "/result", "csrf": guard.csrf})
    html = _show(client, gen2(expired=True))
    assert "Status of residence" in html and "Engineer/Specialist" in html and "PERIOD ENDED" in html
    assert "Work restricted" in html and "Open the revocation lookup" in html


def test_csp_unchanged_by_the_lookup(client: TestClient) -> None:
    before = client.get("/").headers["content-security-policy"]
    _show(client, gen2())
    csp = client.get("/result").headers["content-security-policy"]
    assert csp == before and "moj.go.jp" not in csp and "default-src 'none'" in csp


def test_panel_model_expiry_from_today() -> None:
    r = gen2()
    r.fields["period_expiry"] = {"iso": "2026-01-01", "display_ja": "", "raw": "20260101", "flags": []}
    p = residence_view.residence_panel(r, "ja", set(), today=date(2026, 1, 2))
    assert p is not None and p.period_expired
    p = residence_view.residence_panel(r, "ja", set(), today=date(2026, 1, 1))
    assert p is not None and not p.period_expired
    assert residence_view.residence_panel(ReadResult(document="mynumber"), "ja", set()) is None


def test_no_tries_counter_is_its_own_state() -> None:
    reports = [TriesReport("在留カード等番号", None)]
    assert tries_json(reports, "residence")[0]["state"] == "none"
    assert tries_json(reports, "mynumber")[0]["state"] == "unknown"


def test_revocation_url_setting(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import argparse

    import pytest

    from taimen.cli.serve import revocation_url

    monkeypatch.delenv("TAIMEN_REVOCATION_URL", raising=False)
    assert revocation_url(argparse.Namespace(revocation_url=None)) == DEFAULT_REVOCATION_URL
    monkeypatch.setenv("TAIMEN_REVOCATION_URL", "https://example.invalid/lookup")
    assert revocation_url(argparse.Namespace(revocation_url=None)) == "https://example.invalid/lookup"
    assert revocation_url(argparse.Namespace(revocation_url="https://a.invalid/x")) == "https://a.invalid/x"
    for bad in ("http://a.invalid/", "javascript:alert(1)", 'https://a.invalid/"x'):
        with pytest.raises(SystemExit):
            revocation_url(argparse.Namespace(revocation_url=bad))


def test_period_row_beside_the_printed_face(client: TestClient) -> None:
    r = gen2()
    r.checks.append(Check("face.period", CheckStatus.PASSED, "在留期間", "period", required=False))
    html = _show(client, r.finish(), {"period": "2031年03月31日"})
    row = html.split('data-field="period"', 1)[1].split("</tr>", 1)[0]
    assert "match-yes" in html.split('data-field="period"', 1)[0].rsplit("<tr", 1)[1]
    assert row.count("2031年3月31日") == 2  # chip and print, shown alike
    # without the cross-check, a printed value that differs from the chip is for the eye
    html = _show(client, gen2(), {"period": "2032年03月31日"})
    assert "match-doubt" in html.split('data-field="period"', 1)[0].rsplit("<tr", 1)[1]
    html = _show(client, gen2(), {"period": "2031-03-31"})
    assert "match-yes" in html.split('data-field="period"', 1)[0].rsplit("<tr", 1)[1]

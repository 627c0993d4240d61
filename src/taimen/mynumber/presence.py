"""Proving the chip is present: a fresh random challenge signed by the AP's own key (reference §2).

``80 2A 00 00 33 <SHA-256 DigestInfo of 32 random bytes> 00``: P2=00 selects the AP's default key and no
credential is needed. The answer is checked with a public key taken from a *verified* record (券面AP DF24,
入力補助AP EF 0007 DF51); otherwise the challenged key could be the attacker's own. Copied files on another
chip pass the signature checks but cannot answer this.

Not yet confirmed on real hardware: the command and its P2=00 default key come from one source only
(soltia48/myna-card). A card that does not answer is reported as "presence not proven", not as forged.
soltia48 challenges only the 券面AP (and checks the answer with DF24); no real-card-tested code challenges
the 入力補助AP, so there (``tested_on_cards=False``) a refusal *or* an answer that does not verify is "not
verifiable" with its reason, never evidence of forgery, and the check is not required for "genuine".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.errors import AnswerTooLong
from taimen.mynumber import signatures
from taimen.result import Check, CheckStatus

NONCE_BYTES = 32


@dataclass(frozen=True, slots=True)
class ChallengeResult:
    nonce: bytes
    response: Response
    #: Why no answer arrived although the card may have given one (e.g. the reader cannot carry 256 bytes).
    reader_problem: str = ""


def challenge_command(nonce: bytes, label: str) -> Command:
    return Command(0x80, 0x2A, 0x00, 0x00, signatures.sha256_digest_info(nonce), le=256, label=label)


def challenge(label: str, nonce: bytes | None = None) -> Conversation[ChallengeResult]:
    """Send one fresh challenge to the currently selected AP."""
    nonce = nonce if nonce is not None else secrets.token_bytes(NONCE_BYTES)
    try:
        response = yield challenge_command(nonce, f"CHALLENGE ({label})")
    except AnswerTooLong as exc:  # the 256-byte signature does not fit the reader: nothing proven either way
        return ChallengeResult(nonce, Response(b"", 0x6F00), reader_problem=str(exc))
    return ChallengeResult(nonce, response)


def check_presence(
    name: str,
    ap_ja: str,
    ap_en: str,
    result: ChallengeResult | None,
    key: rsa.RSAPublicKey | None,
    key_source: str,
    key_trusted: bool,
    *,
    tested_on_cards: bool = True,
) -> Check:
    """``key_trusted``: the key comes from a record whose signature chains to a pinned anchor.
    ``tested_on_cards``: False where no real-card-tested reader challenges this AP (see the module text)."""
    check = _presence(name, ap_ja, ap_en, result, key, key_source, key_trusted)
    if tested_on_cards:
        return check
    untested_ja = "このAPへのチャレンジは実機で確認された手順ではないため、真贋の判断には使いません。"
    untested_en = "challenging this AP is not a procedure confirmed on real cards, so it does not decide genuineness"
    if check.status is CheckStatus.FAILED:
        check = replace(
            check,
            status=CheckStatus.NOT_VERIFIABLE,
            detail_ja=f"{check.detail_ja}{untested_ja}",
            detail_en=f"{check.detail_en}; {untested_en}",
        )
    return replace(check, required=False)


def _presence(
    name: str,
    ap_ja: str,
    ap_en: str,
    result: ChallengeResult | None,
    key: rsa.RSAPublicKey | None,
    key_source: str,
    key_trusted: bool,
) -> Check:
    title_ja, title_en = f"ICチップの実在確認（{ap_ja}）", f"chip presence ({ap_en})"
    covers = (f"fresh 32-byte random challenge signed by the {ap_en} key, checked with {key_source}",)
    note_ja = "（実機では未確認の手順）"
    note_en = " (procedure not yet confirmed on real hardware)"
    if result is None:
        return Check(name, CheckStatus.SKIPPED, title_ja, title_en, "チャレンジを送っていません。", "no challenge sent")
    if result.reader_problem:
        return Check(
            name,
            CheckStatus.NOT_VERIFIABLE,
            title_ja,
            title_en,
            "カードリーダーが256バイトの署名応答を受け取れないため、実在を確認できません。別のリーダーでお試しください。",
            f"the reader cannot carry the 256-byte answer, so presence was not tested: {result.reader_problem}",
            covers,
        )
    sw = result.response.sw
    if sw != 0x9000:
        return Check(
            name,
            CheckStatus.NOT_VERIFIABLE,
            title_ja,
            title_en,
            f"カードがチャレンジに応答しません（{sw:04X}）。コピーされたデータの可能性があり、実在を証明できません。{note_ja}",
            f"the card did not answer the challenge ({sw:04X}): presence not proven; the data may be a copy.{note_en}",
            covers,
        )
    if key is None:
        return Check(
            name,
            CheckStatus.NOT_VERIFIABLE,
            title_ja,
            title_en,
            f"検証に使う鍵（{key_source}）が読み取れないため確認できません。",
            f"the key to check it with ({key_source}) could not be read",
            covers,
        )
    valid = signatures.verify_digest_info(key, result.response.data, signatures.sha256_digest_info(result.nonce))
    if not valid:
        return Check(
            name,
            CheckStatus.FAILED,
            title_ja,
            title_en,
            f"チャレンジへの署名が{key_source}の鍵と一致しません。別のチップにデータを複製した疑いがあります。",
            f"the answer does not verify with {key_source}: the data appears to sit on another chip",
            covers,
        )
    if not key_trusted:
        return Check(
            name,
            CheckStatus.NOT_VERIFIABLE,
            title_ja,
            title_en,
            f"署名は{key_source}の鍵と一致しますが、その鍵自体が信頼できる署名で裏付けられていません。",
            f"the answer verifies with {key_source}, but that key is not vouched for by a verified signature",
            covers,
        )
    return Check(
        name,
        CheckStatus.PASSED,
        title_ja,
        title_en,
        f"新しい乱数への署名を署名済みの鍵（{key_source}）で確認しました。{note_ja}",
        f"a fresh random challenge was signed by the key vouched for in {key_source}.{note_en}",
        covers,
    )

"""My Number Card (個人番号カード): 券面AP and 券面事項入力補助AP read with 照合番号B, JPKI AP without PIN.

Layout follows the card's own concepts (see /work/shared/reference/mynumber-card.md):
``aids`` (applications and files), ``shogo_b`` (照合番号B), ``cvc`` (card-verifiable certificates),
``signatures`` (RSA keys and PKCS#1 v1.5 checks), ``offset_table`` (records indexed by DF21), ``text_ap``
(券面事項入力補助AP), ``kenmen_ap`` (券面AP), ``jpki_ap`` (公的個人認証AP), ``presence`` (challenge),
``picture`` (image headers and bounded decoding), ``reader`` (the one conversation), ``evaluate`` (checks and
verdict), ``document`` (the Document the CLI and web UI use).
"""

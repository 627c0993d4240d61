"""IC driving licence (IC運転免許証) and マイナ免許証 (the 免許AP on a My Number Card).

One module per concept of the NPA specification: ``aids`` (applications and files), ``common_data``
(MF/EF01, MF/EF02), ``kisai`` (DF1/EF01 記載事項), ``honseki`` (EF02 本籍), ``gaiji`` (EF03/EF05 外字),
``tsuiki`` (EF04–EF06 追記), ``signature`` (EF07 電子署名), ``photo`` (DF2 写真), ``number`` (免許証番号),
``pin`` (暗証番号1/2), ``reader`` (the one read conversation), ``document`` (the Document for the CLI/UI),
and ``myna_license`` / ``myna_document`` for the マイナ免許証.
"""

"""在留カード and 特別永住者証明書 (residence card and special permanent resident certificate), gen 1 and gen 2."""

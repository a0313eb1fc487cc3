"""统一社会信用代码 (GB 32100-2015) and the embedded organization code (GB 11714-1997).

A credit code has 18 characters from ``0-9A-HJ-NPQRTUWXY``: 1 registration authority, 1 type,
6 administrative division, 9 organization code (8 body + 1 check), 1 check character.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize(raw: object) -> str:
    """Trim spaces (also U+3000), make full-width letters and digits half-width, upper-case."""
    text = "" if raw is None else str(raw)
    return unicodedata.normalize("NFKC", text).strip().upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """GB 11714: letters count as 10-35; 10 is written X and 11 is written 0."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_error(code: str) -> str | None:
    """Why ``code`` (already normalized) is not a valid credit code, in Chinese; None if valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用I、O、Z、S、V）"
    if code[17] != check_character(code[:17]):
        return "统一社会信用代码校验位错误，请核对是否输错"
    org = code[8:17]
    # The organization-code check applies to codes whose organization part is a real GB 11714
    # code (all but the registration authority's own serials, which start with "Y" or "Z").
    if org[:1] not in ("Y",) and org[8] != org_check_character(org[:8]):
        return "统一社会信用代码中的组织机构代码（第9-17位）校验位错误"
    return None


def make_credit_code(division: str, serial: int, *, authority: str = "9", kind: str = "1") -> str:
    """A valid code for demo data and tests: ``serial`` becomes the organization-code body."""
    body = f"{serial:08d}"[-8:]
    org = body + org_check_character(body)
    if org[8] not in _VALUE:  # cannot happen: digits, X, 0
        raise ValueError(org)
    first17 = f"{authority}{kind}{division[:6]:0<6}{org}"
    return first17 + check_character(first17)

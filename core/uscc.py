"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

from dataclasses import dataclass

from anbiao.core.errors import Message

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters; I, O, S, V, Z never occur
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, …
_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code


@dataclass(frozen=True, slots=True)
class UsccCheck:
    """Outcome of checking a code: ``error`` blocks, ``warning`` is shown but accepted."""

    error: str | None = None
    warning: Message | None = None


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_valid(org9: str) -> bool:
    """Whether the embedded 9-character organisation code (positions 9–17) passes GB 11714."""
    if any(c not in _ORG_CHARSET for c in org9[:8]):
        return False
    total = sum(_ORG_CHARSET.index(c) * w for c, w in zip(org9[:8], _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    expected = "X" if value == 10 else "0" if value == 11 else str(value)
    return org9[8] == expected


def check_uscc(code: str) -> UsccCheck:
    """Check structure and check digit.

    Early pilot codes (Fujian and Xiamen) fail the GB 32100 check digit but are legally valid; a
    code whose only fault is the check digit is accepted with a warning (domain.md §8.1).
    """
    if len(code) != 18:
        return UsccCheck(error=f"须为 18 位 / must be 18 characters, got {len(code)}")
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return UsccCheck(
            error="含非法字符 / invalid characters: "
            + " ".join(bad)
            + " (allowed: digits and ABCDEFGHJKLMNPQRTUWXY, upper case)"
        )
    if not code[2:8].isdigit():
        return UsccCheck(error="第 3–8 位须为行政区划代码 / positions 3–8 must be a region code")
    if code[17] != check_digit(code[:17]):
        return UsccCheck(warning=Message("uscc.check_digit", {"expected": check_digit(code[:17])}))
    return UsccCheck()

"""Helpers shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

from anbiao.core.models.profile import Profile
from anbiao.core.uscc import check_digit

DATA = Path(__file__).parent / "data"
PACKS = DATA / "packs"
MINI_PACKS = tuple(PACKS / name for name in ("mini", "mini-machinery", "mini-dust", "mini-fj"))


def make_profile(**changes: object) -> Profile:
    """A valid micro machinery firm in Hangzhou, with ``changes`` applied."""
    fields: dict[str, object] = {
        "uscc": "91350102MA00000152",
        "name": "示例机械厂",
        "region": "330102",
        "industry": "machinery",
        "employees": 12,
        "annual_revenue_10k": 450,
    }
    fields.update(changes)
    return Profile.model_validate(fields)


def uscc(region: str, n: int) -> str:
    """The ``n``-th valid USCC of a region (check digit included)."""
    first = f"91{region}MA{n:07d}"
    return first + check_digit(first)


def breaks_text_rule(text: str, *, multiline: bool) -> bool:
    """The text rule of docs/api.md, written out independently of the service's code: a control
    character (category Cc; tab and line feed allowed in multi-line text), a bidi embedding,
    override or isolate character, or an unpaired surrogate."""
    import unicodedata

    allowed = "\t\n" if multiline else ""
    return any(
        (unicodedata.category(c) == "Cc" and c not in allowed)
        or 0x202A <= ord(c) <= 0x202E
        or 0x2066 <= ord(c) <= 0x2069
        or unicodedata.category(c) == "Cs"
        for c in text
    )

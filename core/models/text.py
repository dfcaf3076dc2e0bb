"""Free text (notes, names, reasons …): the one rule every text field follows, and its bounds.

A text is stored exactly as given or refused; it is never silently changed. Refused anywhere:
control characters (Unicode category Cc: C0, DEL and C1) — except tab and line feed in
multi-line text —, the bidirectional embedding, override and isolate characters U+202A–U+202E
and U+2066–U+2069 (they make text display differently from what it holds, "Trojan Source"),
and unpaired surrogates (no database can store them). A required text must hold more than
white space. Every text has a maximum length in characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, Field

# The limits of the engine's own models (the service lists them with its own in
# ``anbiao.api.kernel.limits``).
NOTE_MAX = 2000
"""An answer's note (自评描述) and an evidence file's note, in characters."""
DEDUCTIONS_MAX = 50
"""Deduction choices on one answer."""
DEDUCTION_TIMES_MAX = 99
"""How often one deduction may be counted on one item."""
REFERENCE_MAX = 255
"""One evidence reference (a file name or record number)."""
REFERENCES_MAX = 20
"""Evidence references on one answer."""
NAME_MAX = 200
"""An enterprise's registered name (企业名称), a consultancy's name."""
KEY_MAX = 96
"""An item or deduction id used as a key."""

# Published in the JSON Schema; unpaired surrogates are checked too but left out there: JSON
# cannot carry them (the body is refused as malformed) and regex engines refuse the range.
_FORBIDDEN_ALWAYS = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069"
_SURROGATES = "\\ud800-\\udfff"
_FORBIDDEN = {True: _FORBIDDEN_ALWAYS, False: "\\t\\n" + _FORBIDDEN_ALWAYS}
# str.isspace() characters that are not control characters: what a blank text may hold.
_SPACE = "\\t\\n \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_BAD = {m: re.compile(f"[{chars}{_SURROGATES}]") for m, chars in _FORBIDDEN.items()}
_TEXT = {multiline: re.compile(f"[^{chars}{_SPACE}]") for multiline, chars in _FORBIDDEN.items()}


def pattern(*, multiline: bool, required: bool) -> str:
    """The rule as a JSON Schema ``pattern`` (clients and schemathesis see what is allowed)."""
    allowed = f"[^{_FORBIDDEN[multiline]}]*"
    if not required:
        return f"^{allowed}$"
    return f"^{allowed}[^{_FORBIDDEN[multiline]}{_SPACE}]{allowed}$"


def text_problem(value: str, *, multiline: bool, required: bool = False) -> str | None:
    """Why ``value`` breaks the text rule, or None when it follows it."""
    if found := _BAD[multiline].search(value):
        char = found.group()
        kind = "换行或制表符" if char in "\t\n" else "控制或双向格式字符"
        return (
            f"第 {found.start() + 1} 个字符 U+{ord(char):04X} 不允许（{kind}）"
            f" / character {found.start() + 1} (U+{ord(char):04X}) is not allowed"
        )
    if required and not _TEXT[multiline].search(value):
        return "不能为空 / must not be blank"
    return None


def _checked(multiline: bool, required: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        if problem := text_problem(value, multiline=multiline, required=required):
            raise ValueError(problem)
        return value

    return check


def Text(
    max_length: int,
    *,
    multiline: bool = False,
    required: bool = False,
    description: str | None = None,
) -> Any:
    """A text type: at most ``max_length`` characters, checked by the rule above; shown in the
    JSON Schema as ``maxLength`` and ``pattern``."""
    return Annotated[
        str,
        Field(
            max_length=max_length,
            min_length=1 if required else None,
            description=description,
            json_schema_extra={"pattern": pattern(multiline=multiline, required=required)},
        ),
        AfterValidator(_checked(multiline, required)),
    ]


Key = Annotated[str, Field(max_length=KEY_MAX)]
"""An id used as a dictionary key (item, deduction); checked against the checklist."""

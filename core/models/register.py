"""Register (登记表) of a regulation whose criteria the packs turn into veto items.

A register lists every criterion of an order such as 应急管理部令第10号 — one entry per article or
sub-clause — with our own paraphrase, the pack it binds, the source it was read from and how much of
it was read. ``anbiao.core.coverage`` checks the packs against it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from anbiao.core.models._base import ContentModel, LocalizedText, Slug

REGISTER_SCHEMA_VERSION = 1
_NUMERALS = "一二三四五六七八九"
CLAUSE_PATTERN = r"^第([一二三四五六七八九十百]+)条(?:\(([一二三四五六七八九十]+)\))?$"
_CLAUSE = re.compile(CLAUSE_PATTERN)

Clause = Annotated[
    str,
    StringConstraints(pattern=CLAUSE_PATTERN),
    Field(description="Article and optional sub-clause, e.g. '第七条' or '第十一条(三)'."),
]


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral up to 999 ('十一' → 11, '一百零五' is not used here)."""
    total, current = 0, 0
    for char in text:
        if char in _NUMERALS:
            current = _NUMERALS.index(char) + 1
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


def clause_key(clause: str) -> tuple[int, int]:
    """(article, sub-clause) of a clause like '第十一条(三)'; sub-clause 0 for a whole article."""
    if (match := _CLAUSE.match(clause)) is None:
        raise ValueError(f"not a clause: {clause!r}")
    article, sub = match.groups()
    return chinese_number(article), chinese_number(sub) if sub else 0


class RegisterConfidence(StrEnum):
    """How much of a criterion was read in its source."""

    confirmed = "confirmed"
    partial = "partial"
    unread = "unread"


class Source(ContentModel):
    """Where a criterion was read: the address and the search corpus it came through."""

    url: Annotated[str, StringConstraints(min_length=1)] = Field(description="Address read.")
    corpus: Literal["pages", "code", "docs"] = Field(description="Search corpus it was found in.")
    also: list[str] = Field(default=[], description="Further addresses holding the same text.")


class Criterion(ContentModel):
    """One criterion (an article or a sub-clause) of the registered order."""

    clause: Clause
    article: int = Field(ge=1, description="Article number; must match `clause`.")
    pack: Slug | None = Field(description="Pack whose veto item mirrors it (null: a rule).")
    text: LocalizedText | None = Field(
        default=None, description="Our own paraphrase (zh-CN and en), never the official wording."
    )
    confidence: RegisterConfidence = Field(strict=False)
    source: Source | None = Field(default=None, description="Where the text was read.")
    gap: str | None = Field(default=None, description="What of a partial criterion was not read.")
    changed_from_2017: LocalizedText | None = Field(
        default=None, description="How it differs from the 2017 list the packs drew on."
    )
    note: str | None = Field(default=None, description="Research remark (which source held what).")
    searches: list[str] = Field(default=[], description="Searches tried (required when unread).")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if clause_key(self.clause)[0] != self.article:
            raise ValueError(f"article {self.article} does not match clause {self.clause}")
        if self.confidence is RegisterConfidence.unread:
            if self.text is not None or not self.searches:
                raise ValueError("an unread criterion has no text and lists the searches tried")
        elif self.text is None or self.source is None:
            raise ValueError(f"a {self.confidence.value} criterion needs text and source")
        if (self.confidence is RegisterConfidence.partial) != (self.gap is not None):
            raise ValueError("'gap' is required for partial criteria and only for them")
        return self

    @property
    def readable(self) -> bool:
        """Read in full or in part: a veto item must mirror it."""
        return self.confidence is not RegisterConfidence.unread


class ProtectiveDevices(ContentModel):
    """The rule that the devices within the listed articles' situations must keep working."""

    clause: Clause
    articles: list[int] = Field(
        min_length=1, description="Articles whose pack must carry `protective_device` items."
    )
    note: LocalizedText | None = Field(default=None, description="Why some articles are left out.")


class Register(ContentModel):
    """A register file (``industry_checklists/_registers/<id>.yaml``)."""

    schema_: str | None = Field(default=None, alias="$schema", description="Editor hint; ignored.")
    schema_version: Literal[1] = Field(description="Version of this file format.")
    id: Slug
    code: str = Field(description="Official number; packs cite the order by a basis with it.")
    title: LocalizedText
    protective_devices: ProtectiveDevices | None = None
    criteria: list[Criterion] = Field(min_length=1)

    def criterion(self, clause: str) -> Criterion | None:
        """The entry for ``clause``, or None."""
        return next((c for c in self.criteria if c.clause == clause), None)

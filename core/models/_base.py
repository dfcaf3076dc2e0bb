"""Shared base for authored content: strict, frozen, unknown fields rejected."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=64),
    Field(description="A stable lower-case identifier: letters, digits, '-' and '_'."),
]
ItemId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$", max_length=96),
    Field(description="A stable item id, unique across all packs, e.g. 'base.5-1-1.01'."),
]


_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("须为整数，不能是布尔值 / must be an integer, not true/false")
    return value


Integer = Annotated[int, BeforeValidator(not_bool)]
"""An int that refuses booleans even when a caller validates leniently (JSON false is not 0)."""


class ContentModel(BaseModel):
    """Base of every authored model."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )


class LocalizedText(ContentModel):
    """Text in Simplified Chinese (required) and English (optional)."""

    zh_CN: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        alias="zh-CN", description="简体中文文本 (required)."
    )
    en: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] | None = Field(
        default=None, description="English text."
    )

    @field_validator("zh_CN")
    @classmethod
    def _join_wrapped_lines(cls, value: str) -> str:
        """Folded YAML puts a space where a Chinese line was wrapped; Chinese has no such spaces."""
        return _CJK_GAP.sub("", value) if " " in value or "\n" in value else value

    def get(self, lang: str = "zh-CN") -> str:
        """The text in ``lang`` ('zh-CN' or 'en'), falling back to Chinese."""
        return self.en if lang == "en" and self.en else self.zh_CN

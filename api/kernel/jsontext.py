"""JSON columns read and written as their text, for the hot paths: a kept value is recognised
by its text (no decoding) and a value encoded once is stored as it is (no second encoding).

The columns are SQLAlchemy ``JSON`` (PostgreSQL ``json``, SQLite text): both keep the text
they are given, so the text read back is the text written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ColumnElement, Dialect, Text, cast
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator


class EncodedJSON(TypeDecorator[str]):
    """A bound JSON column value already encoded (a ``str``): sent as it is."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None  # JSON's processor would encode the text again, as a JSON string


def as_text(column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """A JSON column read as its text, not decoded."""
    return cast(column, Text)

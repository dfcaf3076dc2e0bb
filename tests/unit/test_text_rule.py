"""The text rule (``anbiao.core.models.text``): any string is kept exactly or refused with the
field named, as the independent definition in tests/support.py says; the JSON Schema pattern
clients see agrees with it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from support import breaks_text_rule

from anbiao.core.models.text import Text, pattern

# every code point, surrogates included (a Python caller can hand those over)
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, codec=None), max_size=40)


class Form(BaseModel):
    note: Text(40, multiline=True) = ""
    name: Text(40, required=True) = "x"


@given(ANY_TEXT)
def test_a_multi_line_text_is_kept_exactly_or_refused_naming_the_field(text):
    try:
        kept = Form(note=text).note
    except ValidationError as exc:
        assert breaks_text_rule(text, multiline=True)
        assert [e["loc"] for e in exc.errors()] == [("note",)]
        assert "U+" in exc.errors()[0]["msg"] or "unicode" in exc.errors()[0]["msg"]  # surrogate
    else:
        assert not breaks_text_rule(text, multiline=True) and kept == text


@given(ANY_TEXT)
def test_a_single_line_required_text_refuses_line_breaks_tabs_and_blanks(text):
    try:
        kept = Form(name=text).name
    except ValidationError as exc:
        assert breaks_text_rule(text, multiline=False) or not text.strip()
        assert [e["loc"] for e in exc.errors()] == [("name",)]
    else:
        assert not breaks_text_rule(text, multiline=False) and text.strip() and kept == text


@given(st.text(st.characters(codec="utf-8"), max_size=40))  # what JSON can carry
@pytest.mark.parametrize(("multiline", "required"), [(True, False), (False, True)])
def test_the_published_pattern_says_the_same(multiline, required, text):
    matches = re.fullmatch(pattern(multiline=multiline, required=required), text) is not None
    follows = not breaks_text_rule(text, multiline=multiline) and (not required or text.strip())
    assert matches == bool(follows)


def test_length_is_counted_in_characters():
    assert Form(note="长" * 40).note == "长" * 40
    with pytest.raises(ValidationError) as exc:
        Form(note="长" * 41)
    assert exc.value.errors()[0]["loc"] == ("note",)

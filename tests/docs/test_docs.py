"""Docs stay true: every hook documented with its signature, schema and pack table current."""

import inspect
import re
from pathlib import Path

import pytest

from anbiao.core import hookspecs
from anbiao.core.schema import committed_schema, render_schema

ROOT = Path(__file__).parents[2]


def _specs():
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if callable(fn) and hasattr(fn, "anbiao_spec")
    }


def test_every_hook_has_a_section_with_its_signature():
    doc = (ROOT / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (\w+)\((.*)\)$", doc, flags=re.M))
    specs = _specs()
    assert len(specs) >= 6
    for name, fn in specs.items():
        params = ", ".join(inspect.signature(fn).parameters)
        assert (name, params) in headings, f"docs/plugin_hooks.md lacks '### {name}({params})'"
    assert {name for name, _ in headings} == set(specs), "documented hooks that do not exist"


@pytest.mark.parametrize("kind", ["checklist", "register"])
def test_committed_schema_is_current(kind):
    assert committed_schema(kind) == render_schema(kind), (
        f"run: anbiao checklists schema --kind {kind} "
        f"-o industry_checklists/schema/{kind}.schema.json"
    )


def test_testing_kit_example_is_included_verbatim():
    doc = (ROOT / "docs" / "testing_plugins.md").read_text(encoding="utf-8")
    example = (ROOT / "tests" / "docs" / "test_plugin_author_example.py").read_text(
        encoding="utf-8"
    )
    assert f"```python\n{example}```" in doc

"""Benchmark figures go into docs/benchmarks.md between ``<!-- BEGIN name -->`` and
``<!-- END name -->``; the rest of the page is left as written."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).parent.parent / "docs" / "benchmarks.md"


def write_section(name: str, text: str) -> None:
    """Replace the section ``name`` of docs/benchmarks.md with ``text``."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    doc = DOC.read_text(encoding="utf-8")
    head, found, rest = doc.partition(begin)
    if not found or end not in rest:
        raise SystemExit(f"{DOC}: no section {begin} … {end}")
    DOC.write_text(f"{head}{begin}\n{text}\n{end}{rest.partition(end)[2]}", encoding="utf-8")

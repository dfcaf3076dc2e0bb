"""JSON Schema for checklist authors, generated from the models (validation mode)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from anbiao.core.catalog import PACK_ADAPTER
from anbiao.core.models.checklist import SCHEMA_VERSION

SCHEMA_ID = "https://anbiao.invalid/schema/checklist.schema.json"
SCHEMA_RESOURCE = ("anbiao.industry_checklists", "schema/checklist.schema.json")


def checklist_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a checklist pack file."""
    schema = PACK_ADAPTER.json_schema(mode="validation", by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"anbiao checklist pack (schema_version {SCHEMA_VERSION})",
        "description": "Cross-field rules (unique ids, references, full marks) are checked by "
        "`anbiao checklists lint`, not by this schema.",
        **schema,
    }


def render_schema() -> str:
    """The schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(checklist_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def committed_schema() -> str:
    """The schema file shipped in the package."""
    package, name = SCHEMA_RESOURCE
    return (files(package) / name).read_text(encoding="utf-8")

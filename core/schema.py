"""JSON Schemas for authors, generated from the models (validation mode).

``checklist`` covers pack files (``<pack>/checklist.yaml``), ``register`` the registers of
regulations (``_registers/<id>.yaml``). Both ship in ``industry_checklists/schema/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal

from pydantic import TypeAdapter

from anbiao.core.catalog import PACK_ADAPTER
from anbiao.core.models.checklist import SCHEMA_VERSION
from anbiao.core.models.register import REGISTER_SCHEMA_VERSION
from anbiao.core.registers import REGISTER_ADAPTER

SchemaKind = Literal["checklist", "register"]
SCHEMA_PACKAGE = "anbiao.industry_checklists"


@dataclass(frozen=True, slots=True)
class _Spec:
    adapter: TypeAdapter[Any]
    file: str
    title: str
    description: str


SPECS: dict[SchemaKind, _Spec] = {
    "checklist": _Spec(
        PACK_ADAPTER,
        "schema/checklist.schema.json",
        f"anbiao checklist pack (schema_version {SCHEMA_VERSION})",
        "Cross-field rules (unique ids, references, full marks, registered veto clauses) are "
        "checked by `anbiao checklists lint`, not by this schema.",
    ),
    "register": _Spec(
        REGISTER_ADAPTER,
        "schema/register.schema.json",
        f"anbiao register of a regulation (schema_version {REGISTER_SCHEMA_VERSION})",
        "Clause order, one pack per article and the articles of the protective-device rule are "
        "checked when the register is loaded; `anbiao checklists coverage` checks it against the "
        "packs.",
    ),
}


def schema_of(kind: SchemaKind = "checklist") -> dict[str, Any]:
    """The JSON Schema (2020-12) of a file of this kind."""
    spec = SPECS[kind]
    return {
        **spec.adapter.json_schema(mode="validation", by_alias=True),
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://anbiao.invalid/{spec.file}",
        "title": spec.title,
        "description": spec.description,
    }


def render_schema(kind: SchemaKind = "checklist") -> str:
    """The schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema_of(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def committed_schema(kind: SchemaKind = "checklist") -> str:
    """The schema file shipped in the package."""
    return (files(SCHEMA_PACKAGE) / SPECS[kind].file).read_text(encoding="utf-8")

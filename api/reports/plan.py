"""The action plan (整改计划) in the reports: its own PDF and XLSX, and a section of the
self-assessment report. The rows come from ``anbiao.api.assessments.plan``; here they get
their labels in the report's language and their worksheet."""

from __future__ import annotations

from typing import Any

from anbiao.api.assessments.plan import PlanRow
from anbiao.api.kernel.i18n import name
from anbiao.api.reports.sections import Context


def plan_section(rows: list[PlanRow], lang: str) -> list[Context]:
    """The plan's rows with the names of their level, source and state in ``lang``."""
    return [
        {
            **row,
            "hazard_id": str(row["hazard_id"]),
            "level_label": name(lang, row["level"]),
            "source_label": name(lang, row["source"]),
            "state_label": name(lang, row["state"]),
        }
        for row in rows
    ]


PLAN_COLUMNS = (
    ("item", 20),
    ("requirement", 44),
    ("description", 30),
    ("level", 10),
    ("source", 8),
    ("measures", 40),
    ("suggested", 40),
    ("owner", 12),
    ("deadline", 12),
    ("resources", 30),
    ("state", 10),
    ("overdue", 8),
)


def plan_cells(row: Context, t: dict[str, str]) -> list[Any]:
    """A plan row as the worksheet's cells, in the order of ``PLAN_COLUMNS``."""
    return [
        row["item_id"],
        row["requirement"],
        row["description"],
        row["level_label"],
        row["source_label"],
        row["measures"],
        row["suggested"] or "",
        row["owner"],
        row["deadline"],
        row["resources"],
        row["state_label"],
        t["yes"] if row["overdue"] else "",
    ]

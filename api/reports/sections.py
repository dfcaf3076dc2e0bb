"""The scoring sections of a report: totals, elements, vetoes, the item table with deductions,
and the comparison of the self-assessment with the review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from anbiao.api.applications.review import Comparison
from anbiao.api.assessments.service import Scored
from anbiao.api.kernel.i18n import message
from anbiao.api.reports.labels import labels
from anbiao.core.compose import ComposedElement
from anbiao.core.report import _STATUS
from anbiao.core.result import AssessmentResult

Context = dict[str, Any]


def result_section(scored: Scored, lang: str) -> Context:
    """Totals, elements, vetoes, the item table and the deduction summary of one scoring."""
    result, composed = scored.result, scored.composed
    titles = _titles(composed.elements, lang, {})
    items, summary = _item_rows(scored, titles, lang)
    return {
        "totals": _totals(result, lang),
        "elements": [
            {
                "code": e.code,
                "title": titles.get(e.code, ""),
                "depth": e.code.count("."),
                "earned": e.earned,
                "applicable": e.applicable,
                "percentage": str(e.percentage),
            }
            for e in result.elements
        ],
        "vetoes": [
            {"id": v, "requirement": composed.items[v].item.requirement.get(lang)}
            for v in result.vetoes
        ],
        "items": items,
        "summary": summary,
        "lost_total": sum(r["lost"] for r in summary),
    }


def _item_rows(
    scored: Scored, titles: dict[str, str], lang: str
) -> tuple[list[Context], list[Context]]:
    """Every item's row, and the rows of the items that lost points with the reasons why."""
    result, composed = scored.result, scored.composed
    items: list[Context] = []
    summary: list[Context] = []
    for s in result.items:
        item = composed.items[s.item_id].item
        reasons = {d.id: d.reason.get(lang) for d in item.deductions}
        status = s.status.value if s.status else None
        lost = s.max_score - s.earned if s.applicable else 0
        deductions = [
            {"id": d.id, "reason": reasons.get(d.id, d.id), "times": d.times, "points": d.points}
            for d in s.deductions
        ]
        row = {
            "id": s.item_id,
            "element": s.element,
            "element_title": titles.get(s.element, ""),
            "requirement": item.requirement.get(lang),
            "status": status,
            "status_label": _STATUS["en" if lang == "en" else "zh-CN"][status],
            "max_score": s.max_score,
            "earned": s.earned,
            "lost": lost,
            "deductions": deductions,
            "note": s.note or "",
            "veto": item.veto is not None,
        }
        items.append(row)
        if lost:
            summary.append(
                {
                    **row,
                    "reasons": deductions
                    or [{"id": "", "reason": row["status_label"], "times": 1, "points": lost}],
                }
            )
    return items, summary


def _totals(result: AssessmentResult, lang: str) -> Context:
    band = result.band.title.get(lang) if result.band else ""
    return {
        "earned": result.earned,
        "applicable": result.applicable,
        "full_marks": result.full_marks,
        "percentage": str(result.percentage),
        "band": result.band.id if result.band else None,
        "grade": band,
        "passed": result.passed,
        "result_label": band if result.passed else labels(lang)["failed"],
        "eligible": result.eligible,
        "complete": result.complete,
        "answered": result.answered,
        "total_items": result.total_items,
        "ineligible": [message(lang, i.coded) for i in result.ineligible],
    }


def _titles(elements: Iterable[ComposedElement], lang: str, out: dict[str, str]) -> dict[str, str]:
    for element in elements:
        out[element.code] = element.title.get(lang)
        _titles(element.elements, lang, out)
    return out


def comparison_section(compared: Comparison, lang: str) -> Context:
    """Self-assessment against review, item by item, and the items whose result changed."""
    statuses = _STATUS["en" if lang == "en" else "zh-CN"]
    composed = compared.own.composed
    rows = [
        {
            **d,
            "requirement": composed.items[d["item_id"]].item.requirement.get(lang),
            "self_status": d["self_status"] and str(d["self_status"]),
            "review_status": d["review_status"] and str(d["review_status"]),
            "self_label": statuses[d["self_status"]],
            "review_label": statuses[d["review_status"]] if compared.review else "",
        }
        for d in compared.items
    ]
    return {
        **compared.totals(),
        "items": rows,
        "changed": [
            r
            for r in rows
            if r["delta"] or (compared.review and r["self_status"] != r["review_status"])
        ],
    }

"""Rendering results: a JSON-ready dict for machines, readable text for people (zh-CN or en)."""

from __future__ import annotations

from typing import Any

from anbiao.core.compose import ComposedChecklist, ComposedElement
from anbiao.core.models.profile import Profile
from anbiao.core.result import AssessmentResult

_STATUS = {
    "zh-CN": {
        "compliant": "符合",
        "partial": "部分符合",
        "non_compliant": "不符合",
        "na": "不涉及",
        None: "未作答",
    },
    "en": {
        "compliant": "compliant",
        "partial": "partial",
        "non_compliant": "non-compliant",
        "na": "N/A",
        None: "unanswered",
    },
}
_LABELS = {
    "zh-CN": {
        "title": "安全生产标准化自评结果",
        "score": "得分",
        "pct": "得分率",
        "result": "结论",
        "passed": "达标",
        "failed": "未达标",
        "vetoes": "否决项",
        "eligible": "可申请评审",
        "not_eligible": "暂不可申请评审",
        "hazards": "隐患清单",
        "major": "重大",
        "general": "一般",
        "raise": "提升建议",
        "fix": "整改以下各项可达到",
        "points": "分",
        "elements": "各要素得分",
        "packs": "适用清单",
        "unreachable": "（全部整改仍不可达）",
    },
    "en": {
        "title": "Safety standardisation self-assessment",
        "score": "Score",
        "pct": "Percentage",
        "result": "Result",
        "passed": "standard reached",
        "failed": "not reached",
        "vetoes": "Veto items failed",
        "eligible": "may apply for review",
        "not_eligible": "may not apply yet",
        "hazards": "Hazards",
        "major": "major",
        "general": "general",
        "raise": "What raises the grade",
        "fix": "Fix these to reach",
        "points": "pts",
        "elements": "Elements",
        "packs": "Checklists",
        "unreachable": "(not reachable even with every item fixed)",
    },
}


def result_to_dict(result: AssessmentResult, composed: ComposedChecklist) -> dict[str, Any]:
    """Everything of a result as JSON-compatible data (percentages as strings, exact)."""
    return {
        "fingerprint": result.fingerprint,
        "packs": [{"id": p.id, "version": p.version, "kind": p.kind} for p in composed.packs],
        "earned": result.earned,
        "applicable": result.applicable,
        "full_marks": result.full_marks,
        "percentage": str(result.percentage),
        "complete": result.complete,
        "answered": result.answered,
        "total_items": result.total_items,
        "band": result.band.id if result.band else None,
        "passed": result.passed,
        "vetoes": list(result.vetoes),
        "eligible": result.eligible,
        "ineligible": [{"code": i.code, "message": i.message} for i in result.ineligible],
        "elements": [
            {
                "code": e.code,
                "earned": e.earned,
                "applicable": e.applicable,
                "percentage": str(e.percentage),
            }
            for e in result.elements
        ],
        "items": [
            {
                "id": s.item_id,
                "element": s.element,
                "status": s.status,
                "max_score": s.max_score,
                "earned": s.earned,
                "note": s.note,
                "deductions": [
                    {"id": d.id, "times": d.times, "points": d.points} for d in s.deductions
                ],
            }
            for s in result.items
        ],
        "hazards": [
            {"item": h.item_id, "level": h.level, "basis": list(h.basis), "note": h.note}
            for h in result.hazards
        ],
        "improvement": None
        if result.improvement is None
        else {
            "target": result.improvement.target.id,
            "points_needed": result.improvement.points_needed,
            "items": list(result.improvement.items),
            "reachable": result.improvement.reachable,
        },
    }


def _titles(
    elements: tuple[ComposedElement, ...], lang: str, out: dict[str, str]
) -> dict[str, str]:
    for element in elements:
        out[element.code] = element.title.get(lang)
        _titles(element.elements, lang, out)
    return out


def render_text(
    result: AssessmentResult, composed: ComposedChecklist, profile: Profile, lang: str = "zh-CN"
) -> str:
    """A readable report for the terminal."""
    t = _LABELS[lang]
    titles = _titles(composed.elements, lang, {})
    verdict = result.band.title.get(lang) if result.passed and result.band else t["failed"]
    lines = [
        f"{t['title']} — {profile.name} ({profile.uscc}, {profile.region})",
        f"{t['packs']}: " + ", ".join(f"{p.id} {p.version}" for p in composed.packs),
        f"{t['score']}: {result.earned}/{result.applicable}   {t['pct']}: {result.percentage}%",
        f"{t['result']}: {verdict}",
    ]
    if result.vetoes:
        lines.append(f"{t['vetoes']}: " + ", ".join(result.vetoes))
    lines.append(t["eligible"] if result.eligible else t["not_eligible"])
    lines.extend(f"  - {i.message}" for i in result.ineligible)
    lines.append(f"\n{t['elements']}:")
    for e in result.elements:
        indent = "  " * e.code.count(".")
        lines.append(
            f"{indent}{e.code} {titles.get(e.code, '')}: {e.earned}/{e.applicable} "
            f"({e.percentage}%)"
        )
    if result.hazards:
        lines.append(f"\n{t['hazards']} ({len(result.hazards)}):")
        for h in result.hazards:
            text = composed.items[h.item_id].item.requirement.get(lang)
            lines.append(f"  [{t[h.level.value]}] {h.item_id} {text}  — {'; '.join(h.basis)}")
    if (plan := result.improvement) is not None:
        suffix = "" if plan.reachable else " " + t["unreachable"]
        lines.append(
            f"\n{t['raise']}: {t['fix']} {plan.target.title.get(lang)} "
            f"(+{plan.points_needed} {t['points']}){suffix}"
        )
        scores = {s.item_id: s for s in result.items}
        for item_id in plan.items:
            text = composed.items[item_id].item.requirement.get(lang)
            lines.append(f"  +{scores[item_id].recoverable} {item_id} {text}")
    return "\n".join(lines) + "\n"

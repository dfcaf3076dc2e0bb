"""The composed checklist as the pages show it: sections, why each pack applies, form answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anbiao.api.kernel.access import not_found
from anbiao.api.kernel.i18n import t
from anbiao.core.catalog import Catalog
from anbiao.core.compose import ComposedChecklist, ComposedElement, ComposedItem
from anbiao.core.models.checklist import Condition
from anbiao.core.models.profile import Profile

STATUSES = ("compliant", "partial", "non_compliant", "na")


@dataclass(frozen=True, slots=True)
class Section:
    """A top-level element (一级要素) with its items, sub-element by sub-element."""

    code: str
    element: ComposedElement
    groups: tuple[tuple[ComposedElement, tuple[ComposedItem, ...]], ...]

    @property
    def item_ids(self) -> list[str]:
        return [c.item.id for _, items in self.groups for c in items]


def sections(composed: ComposedChecklist) -> list[Section]:
    out = []
    for top in composed.elements:
        groups = [(top, tuple(composed.items[i] for i in top.items))] if top.items else []
        groups += [(sub, tuple(composed.items[i] for i in _all_items(sub))) for sub in top.elements]
        out.append(Section(top.code, top, tuple(g for g in groups if g[1])))
    return out


def section_of(composed: ComposedChecklist, code: str) -> Section:
    """The top-level element ``code`` of the composition (404 when there is none)."""
    found = next((s for s in sections(composed) if s.code == code), None)
    if found is None:
        raise not_found("element.not_found")
    return found


def _all_items(element: ComposedElement) -> list[str]:
    return [*element.items, *(i for sub in element.elements for i in _all_items(sub))]


def answered(section: Section, answers: dict[str, Any]) -> int:
    return sum(1 for i in section.item_ids if (answers.get(i) or {}).get("status"))


def why(condition: Condition | None, catalog: Catalog, profile: Profile, lang: str) -> str:
    """Why a pack applies to this profile, in words (the base checklist applies to everyone)."""
    if condition is None:
        return t(lang, "基础清单，适用于所有企业")
    parts = []
    if condition.industries:
        names = [
            catalog.industries[i].title.get(lang)
            for i in condition.industries
            if i in catalog.industries
        ]
        parts.append(t(lang, "行业为{names}", names="、".join(names)))
    for flags in (condition.hazards_any, condition.hazards_all):
        if flags:
            names = [
                catalog.hazards[h].title.get(lang)
                for h in flags
                if h in catalog.hazards and h in profile.hazards
            ]
            parts.append(t(lang, "涉及专项：{names}", names="、".join(names)))
    if condition.regions:
        mine = [r for r in condition.regions if profile.region.startswith(r)]
        parts.append(
            t(
                lang,
                "所在地区 {region} 属于 {prefix}",
                region=profile.region,
                prefix="、".join(mine or condition.regions),
            )
        )
    if condition.size_classes:
        parts.append(t(lang, "企业规模符合"))
    if condition.employees_min is not None or condition.employees_max is not None:
        parts.append(t(lang, "从业人员 {n} 人", n=profile.employees))
    return "；".join(parts) or t(lang, "符合适用条件")


def answers_from_form(
    form: dict[str, Any], composed: ComposedChecklist, item_ids: list[str], current: dict[str, Any]
) -> dict[str, Any]:
    """The answers a section's form gives, for the items whose status was chosen.

    Fields per item: ``s:<id>`` status, ``d:<id>`` chosen deductions (check boxes, or
    ``d:<id>:<deduction>`` counts for repeatable ones), ``n:<id>`` note. Evidence references
    already on an answer are kept."""
    out: dict[str, Any] = {}
    for item_id in item_ids:
        status = form.get(f"s:{item_id}")
        if status not in STATUSES:
            continue
        item = composed.items[item_id].item
        deductions: dict[str, int] = {}
        if status in ("partial", "non_compliant"):
            chosen = form.get(f"d:{item_id}") or []
            chosen = chosen if isinstance(chosen, list) else [chosen]
            for d in item.deductions:
                times = str(form.get(f"d:{item_id}:{d.id}") or "")
                count = int(times) if d.repeatable and times.isdigit() else int(d.id in chosen)
                if count:
                    deductions[d.id] = count
        answer: dict[str, Any] = {"status": status}
        if deductions:
            answer["deductions"] = deductions
        if (note := str(form.get(f"n:{item_id}", ""))).strip():
            answer["note"] = note  # as typed: too long or a refused character is a 422
        if evidence := (current.get(item_id) or {}).get("evidence"):
            answer["evidence"] = evidence
        out[item_id] = answer
    return out

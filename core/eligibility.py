"""The preconditions for applying for review (申请条件), checked on every score: the
self-assessment complete, the percentage at the pack's threshold, no failed veto item, the
accidents of the last 12 months within the pack's limits (domain.md §4)."""

from __future__ import annotations

from decimal import Decimal

from anbiao.core.compose import ComposedChecklist
from anbiao.core.models.profile import Profile
from anbiao.core.result import Ineligibility


def ineligibility(
    composed: ComposedChecklist,
    profile: Profile,
    pct: Decimal,
    vetoes: tuple[str, ...],
    answered: int,
    total: int,
) -> tuple[Ineligibility, ...]:
    """Why an assessment may not apply for review (申请条件): unanswered items, the percentage
    below the pack's threshold, failed veto items, accidents of the last 12 months beyond the
    pack's limits."""
    rules = composed.scoring.eligibility
    accidents = profile.accidents_12m
    reasons: list[Ineligibility] = []
    if answered < total:
        reasons.append(
            Ineligibility(
                "incomplete",
                f"自评未完成：{total - answered} 项未作答 / {total - answered} items unanswered",
                {"unanswered": total - answered},
            )
        )
    if pct < rules.apply_percentage:
        reasons.append(
            Ineligibility(
                "below_threshold",
                f"得分率 {pct}% 低于申请条件 "
                f"{rules.apply_percentage:g}% / below the threshold to apply",
                {"percentage": str(pct), "threshold": f"{rules.apply_percentage:g}"},
            )
        )
    if vetoes:
        reasons.append(
            Ineligibility(
                "veto",
                "否决项不符合 / veto items failed: " + ", ".join(vetoes),
                {"items": ", ".join(vetoes)},
            )
        )
    limits = (
        ("deaths", accidents.deaths, rules.max_deaths_12m, "死亡"),
        ("serious_injuries", accidents.serious_injuries, rules.max_serious_injuries_12m, "重伤"),
        (
            "direct_loss",
            accidents.direct_loss_10k,
            rules.max_direct_loss_10k_12m,
            "直接经济损失(万元)",
        ),
    )
    for code, value, limit, label in limits:
        if limit is not None and value > limit:
            reasons.append(
                Ineligibility(
                    code,
                    f"近 12 个月{label} {value}，超过 {limit} / "
                    f"last 12 months {code.replace('_', ' ')} {value} > {limit}",
                    {"value": str(value), "limit": str(limit)},
                )
            )
    return tuple(reasons)

"""Default region risk index (安全风险指数): a documented, replaceable formula.

The official formula is not published (domain.md §0), so this one is ours (docs/statistics.md)::

    index = 25·fatal + 25·major + 15·overdue + 15·veto + 15·shortfall + 5·general   (0–100)

with, per enterprise of the region (n = facts.enterprises):

* fatal    = enterprises with deaths in the last 12 months ÷ n          (a share, 0–1)
* veto     = enterprises whose latest submitted result fails a veto ÷ n (a share, 0–1)
* major, overdue, general = d ÷ (1 + d), d = open major / overdue / open general hazards ÷ n
  (a density squashed into 0–1: one per enterprise gives 0.5, never saturates)
* shortfall = (100 − average self-assessment percentage) ÷ 100, 0 when unknown

A region without enterprises scores 0. Every term only grows with its count, so more hazards,
accidents or vetoes never lower the index; a clean region with full marks scores 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from anbiao.core.hookspecs import hookimpl
from anbiao.core.risk import RegionFacts

WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "fatal": 25.0,
        "major": 25.0,
        "overdue": 15.0,
        "veto": 15.0,
        "shortfall": 15.0,
        "general": 5.0,
    }
)


def risk_terms(facts: RegionFacts) -> dict[str, float]:
    """Each term of the formula, 0–1 (0 for a region without enterprises)."""
    n = facts.enterprises
    if n == 0:
        return dict.fromkeys(WEIGHTS, 0.0)

    def share(count: int) -> float:
        return min(count / n, 1.0)

    def density(count: int) -> float:
        d = count / n
        return d / (1 + d)

    pct = facts.average_percentage
    return {
        "fatal": share(facts.fatal_accidents_12m),
        "major": density(facts.open_major_hazards),
        "overdue": density(facts.overdue_hazards),
        "veto": share(facts.vetoes_failed),
        "shortfall": 0.0 if pct is None else (100.0 - pct) / 100.0,
        "general": density(facts.open_general_hazards),
    }


def risk_index(facts: RegionFacts, weights: Mapping[str, float] = WEIGHTS) -> float:
    """The weighted sum of the terms, one decimal; 0–100 when the weights sum to 100."""
    terms = risk_terms(facts)
    return round(sum(weights.get(name, 0.0) * value for name, value in terms.items()), 1)


@hookimpl(trylast=True)
def region_risk_index(region: str, facts: RegionFacts) -> float:
    return risk_index(facts)

"""Region risk index (区域安全风险指数): the facts a formula is given.

Fujian ranks regions by a safety risk index whose formula is not published (domain.md §0). The
index is computed through the ``region_risk_index`` hook: the built-in formula lives in
``anbiao.plugins.default_risk`` and a region plugin may replace it (docs/statistics.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RegionFacts:
    """What is known of one region (a prefecture, 4-digit code prefix) on one day.

    Counts of enterprises are of enterprises currently registered in the region; hazard counts
    are of hazards not yet closed (未销号). ``average_percentage`` is None when no enterprise of
    the region has submitted an application.
    """

    enterprises: int = 0  # 企业数
    applications: int = 0  # 评审申请数 (all states, drafts included)
    certified: int = 0  # enterprises holding a certified application (已发证)
    open_major_hazards: int = 0  # 未销号重大事故隐患
    open_general_hazards: int = 0  # 未销号一般事故隐患
    overdue_hazards: int = 0  # open hazards past their rectification deadline (超期未整改)
    vetoes_failed: int = 0  # enterprises whose latest submitted result fails a veto item (否决项)
    fatal_accidents_12m: int = 0  # enterprises reporting deaths in the last 12 months (死亡事故)
    average_percentage: float | None = None  # mean self-assessment 得分率 of latest submissions

    def __post_init__(self) -> None:
        counts = {k: getattr(self, k) for k in self.__slots__ if k != "average_percentage"}
        negative = [k for k, v in counts.items() if v < 0]
        if negative:
            raise ValueError(f"counts must not be negative: {', '.join(negative)}")
        pct = self.average_percentage
        if pct is not None and not 0 <= pct <= 100:
            raise ValueError(f"average_percentage must be within 0–100, got {pct}")


__all__ = ["RegionFacts"]

"""Response bodies of the statistics routes (统计、风险排序、超期清单)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from anbiao.api.kernel.schemas import Output
from anbiao.core.risk import RegionFacts


class StatisticsOut(Output):
    """Counts for the authority, within its region prefix and the filters given.

    Region keys are prefectures (first 4 digits of the region code); months are YYYY-MM of
    ``submitted_on`` (applications never submitted have no month).
    """

    scope: str = Field(description="The admin's region prefix (管辖范围)")
    applications: int
    applications_by_region: dict[str, int]
    applications_by_industry: dict[str, int]
    applications_by_state: dict[str, int]
    applications_by_month: dict[str, int]
    enterprises: int
    enterprises_by_region: dict[str, int]
    open_hazards: int
    open_hazards_by_level: dict[str, int]


class RiskRow(Output):
    """One prefecture of the risk ranking (安全风险指数排序); highest index first."""

    rank: int | None = Field(description="1 = highest risk; ties share a rank; None: no index")
    region: str = Field(description="Prefecture code prefix, e.g. 3501")
    index: float | None = Field(description="安全风险指数 from the region_risk_index hook")
    facts: RegionFacts


class OverdueOut(Output):
    """An application or a hazard past its deadline (超期事项)."""

    kind: Literal["application", "hazard"]
    id: UUID
    enterprise_id: UUID
    region: str
    state: str
    level: str | None = Field(description="Hazard level (general | major); None for applications")
    due_on: date
    working_days_overdue: int = Field(description="超期工作日 (Chinese working days)")
    calendar_days_overdue: int

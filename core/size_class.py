"""Enterprise size class (企业规模) per 工信部联企业〔2011〕300号 《中小企业划型标准规定》.

The thresholds are configuration (:class:`SizeTable`); the default is the 2011 table
(domain.md §7). Whether it was revised in 2024/2025 is unconfirmed.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class SizeClass(StrEnum):
    large = "large"  # 大型
    medium = "medium"  # 中型
    small = "small"  # 小型
    micro = "micro"  # 微型


class SizeSector(StrEnum):
    """The size-rule sectors of the 2011 table that 工贸 enterprises fall in."""

    industrial = "industrial"  # 工业
    wholesale = "wholesale"  # 批发业
    retail = "retail"  # 零售业
    warehousing = "warehousing"  # 仓储业
    transport = "transport"  # 交通运输业
    accommodation_catering = "accommodation_catering"  # 住宿业、餐饮业


class Bounds(NamedTuple):
    """Lower bounds (employees, annual revenue in 万元) of one class."""

    employees: int
    revenue_10k: int


class SizeRule(NamedTuple):
    """SME ceiling and the medium/small lower bounds for one sector."""

    sme_ceiling: Bounds  # at or above both → large
    medium: Bounds
    small: Bounds


SizeTable = dict[SizeSector, SizeRule]

SIZE_TABLE_2011: SizeTable = {
    SizeSector.industrial: SizeRule(Bounds(1000, 40000), Bounds(300, 2000), Bounds(20, 300)),
    SizeSector.wholesale: SizeRule(Bounds(200, 40000), Bounds(20, 5000), Bounds(5, 1000)),
    SizeSector.retail: SizeRule(Bounds(300, 20000), Bounds(50, 500), Bounds(10, 100)),
    SizeSector.warehousing: SizeRule(Bounds(200, 30000), Bounds(100, 1000), Bounds(20, 100)),
    SizeSector.transport: SizeRule(Bounds(1000, 30000), Bounds(300, 3000), Bounds(20, 200)),
    SizeSector.accommodation_catering: SizeRule(
        Bounds(300, 10000), Bounds(100, 2000), Bounds(10, 100)
    ),
}


def _meets(employees: int, revenue_10k: Decimal, bounds: Bounds) -> bool:
    return employees >= bounds.employees and revenue_10k >= bounds.revenue_10k


def classify(
    sector: SizeSector,
    employees: int,
    revenue_10k: Decimal,
    table: SizeTable = SIZE_TABLE_2011,
) -> SizeClass:
    """Size class: medium and small need both lower bounds; micro needs only one below."""
    rule = table[sector]
    if _meets(employees, revenue_10k, rule.sme_ceiling):
        return SizeClass.large
    if _meets(employees, revenue_10k, rule.medium):
        return SizeClass.medium
    if _meets(employees, revenue_10k, rule.small):
        return SizeClass.small
    return SizeClass.micro

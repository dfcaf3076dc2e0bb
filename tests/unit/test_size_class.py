"""Every boundary of the 2011 size table (工信部联企业〔2011〕300号), for every sector."""

from decimal import Decimal

import pytest

from anbiao.core.size_class import SIZE_TABLE_2011, SizeClass, SizeSector, classify

CASES = []
for sector, rule in SIZE_TABLE_2011.items():
    for cls, bounds in (
        (SizeClass.large, rule.sme_ceiling),
        (SizeClass.medium, rule.medium),
        (SizeClass.small, rule.small),
    ):
        lower = {
            SizeClass.large: SizeClass.medium,
            SizeClass.medium: SizeClass.small,
            SizeClass.small: SizeClass.micro,
        }[cls]
        e, r = bounds.employees, bounds.revenue_10k
        CASES += [
            (sector, e, r, cls),  # exactly at both lower bounds: in the class
            (sector, e - 1, r, lower),  # one short on employees: drops a class
            (sector, e, r - 1, lower),  # one short on revenue: drops a class
        ]


@pytest.mark.parametrize(("sector", "employees", "revenue", "expected"), CASES)
def test_boundaries(sector, employees, revenue, expected):
    assert classify(sector, employees, Decimal(revenue)) is expected


def test_industrial_table_as_published():
    c = lambda e, r: classify(SizeSector.industrial, e, Decimal(r))  # noqa: E731
    assert c(1000, 40000) is SizeClass.large
    assert c(999, 100000) is SizeClass.medium  # under the SME ceiling on employees
    assert c(300, 2000) is SizeClass.medium
    assert c(299, 2000) is SizeClass.small
    assert c(500, 1999) is SizeClass.small
    assert c(20, 300) is SizeClass.small
    assert c(19, 100000) is SizeClass.micro  # fewer than 20 people is micro whatever the revenue
    assert c(19, 300) is SizeClass.micro
    assert c(200, Decimal("299.99")) is SizeClass.micro  # micro needs only one criterion


def test_micro_needs_only_one_criterion_in_every_sector():
    for sector, rule in SIZE_TABLE_2011.items():
        assert classify(sector, rule.small.employees - 1, Decimal(rule.small.revenue_10k)) is (
            SizeClass.micro
        )
        assert classify(sector, rule.small.employees, Decimal(rule.small.revenue_10k - 1)) is (
            SizeClass.micro
        )

"""The default region risk index: 0 when clean, bounded, never lowered by more bad facts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anbiao.core.plugin_manager import build_plugin_manager
from anbiao.core.risk import RegionFacts
from anbiao.plugins.default_risk import WEIGHTS, risk_index

BAD = (
    "open_major_hazards",
    "open_general_hazards",
    "overdue_hazards",
    "vetoes_failed",
    "fatal_accidents_12m",
)


@st.composite
def facts(draw) -> RegionFacts:
    enterprises = draw(st.integers(1, 200))
    return RegionFacts(
        enterprises=enterprises,
        applications=draw(st.integers(0, 300)),
        certified=draw(st.integers(0, enterprises)),
        open_major_hazards=draw(st.integers(0, 500)),
        open_general_hazards=draw(st.integers(0, 2000)),
        overdue_hazards=draw(st.integers(0, 500)),
        vetoes_failed=draw(st.integers(0, enterprises)),
        fatal_accidents_12m=draw(st.integers(0, enterprises)),
        average_percentage=draw(st.none() | st.floats(0, 100)),
    )


def test_weights_sum_to_100():
    assert sum(WEIGHTS.values()) == 100


@pytest.mark.parametrize("pct", [None, 100.0])
def test_clean_region_scores_zero(pct):
    assert (
        risk_index(
            RegionFacts(enterprises=40, applications=30, certified=20, average_percentage=pct)
        )
        == 0.0
    )
    assert risk_index(RegionFacts()) == 0.0  # no enterprises at all


def test_worst_region_approaches_100():
    worst = RegionFacts(
        enterprises=1,
        open_major_hazards=10_000,
        open_general_hazards=10_000,
        overdue_hazards=10_000,
        vetoes_failed=1,
        fatal_accidents_12m=1,
        average_percentage=0.0,
    )
    assert 99 < risk_index(worst) <= 100


def test_one_major_hazard_per_enterprise_is_half_its_weight():
    assert risk_index(RegionFacts(enterprises=10, open_major_hazards=10)) == WEIGHTS["major"] / 2


@given(facts(), st.integers(1, 50))
def test_more_open_major_hazards_never_lower_the_index(region, more):
    worse = replace(region, open_major_hazards=region.open_major_hazards + more)
    assert risk_index(worse) >= risk_index(region)


@given(facts(), st.sampled_from(BAD), st.integers(1, 50))
def test_more_bad_facts_never_lower_the_index(region, field, more):
    worse = replace(region, **{field: getattr(region, field) + more})
    assert risk_index(worse) >= risk_index(region)


@given(facts(), st.floats(0, 100))
def test_lower_percentage_never_lowers_the_index(region, pct):
    low, high = sorted((pct, region.average_percentage or 0.0))
    assert risk_index(replace(region, average_percentage=low)) >= risk_index(
        replace(region, average_percentage=high)
    )


@given(facts())
def test_index_is_within_0_and_100(region):
    assert 0 <= risk_index(region) <= 100


def test_facts_reject_nonsense():
    with pytest.raises(ValueError, match="negative"):
        RegionFacts(enterprises=-1)
    with pytest.raises(ValueError, match="0–100"):
        RegionFacts(enterprises=1, average_percentage=120)


def test_the_default_answers_the_hook():
    pm = build_plugin_manager(load_entrypoints=False)
    region = RegionFacts(enterprises=4, open_major_hazards=2, fatal_accidents_12m=1)
    assert pm.hook.region_risk_index(region="3501", facts=region) == risk_index(region) > 0

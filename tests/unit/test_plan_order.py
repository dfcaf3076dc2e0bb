"""Property tests (hypothesis) for the order of the action plan (整改计划): open before closed,
then major before general, overdue before on time, then by deadline (none last); the order is
total, so the plan reads the same however its rows were fetched."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from anbiao.api.assessments.plan import is_overdue, plan_key

TODAY = date(2026, 3, 2)


@st.composite
def rows(draw) -> list[dict]:
    count = draw(st.integers(0, 30))
    ids = draw(st.lists(st.uuids(), min_size=count, max_size=count, unique=True))
    out = []
    for hazard_id in ids:
        state = draw(st.sampled_from(["open", "rectifying", "submitted", "closed"]))
        offset = draw(st.none() | st.integers(-60, 60))
        deadline = None if offset is None else TODAY + timedelta(days=offset)
        out.append(
            {
                "hazard_id": hazard_id,
                "item_id": draw(st.sampled_from(["", "base.5-1-1.01", "base.5-2-1.01"])),
                "level": draw(st.sampled_from(["major", "general"])),
                "state": state,
                "deadline": deadline,
                "overdue": is_overdue(state, deadline, TODAY),
            }
        )
    return out


@given(rows(), st.randoms())
def test_the_plan_order_is_total_and_puts_what_is_urgent_first(plan, random):
    ordered = sorted(plan, key=plan_key)
    shuffled = list(plan)
    random.shuffle(shuffled)
    assert sorted(shuffled, key=plan_key) == ordered  # independent of the fetch order
    for before, after in pairwise(ordered):
        if before["state"] == "closed":
            assert after["state"] == "closed"  # closed rows come last
            continue
        if after["state"] == "closed":
            continue
        assert not (before["level"] == "general" and after["level"] == "major")
        if before["level"] == after["level"]:
            assert before["overdue"] or not after["overdue"]
            if before["overdue"] == after["overdue"] and before["deadline"] is None:
                assert after["deadline"] is None  # a row without a deadline: after those with one
            elif before["overdue"] == after["overdue"] and after["deadline"] is not None:
                assert before["deadline"] <= after["deadline"]


@given(
    st.sampled_from(["open", "rectifying", "submitted"]),
    st.none() | st.dates(TODAY - timedelta(days=400), TODAY + timedelta(days=400)),
    st.integers(0, 400),
)
def test_once_overdue_a_row_stays_overdue_until_it_is_closed(state, deadline, days):
    later = TODAY + timedelta(days=days)
    if is_overdue(state, deadline, TODAY):
        assert is_overdue(state, deadline, later)  # time never makes a late row on time
    assert not is_overdue("closed", deadline, later)
    assert not is_overdue(state, None, later)  # no deadline, never late
    if deadline is not None:
        assert not is_overdue(state, deadline, deadline)  # due today is not late yet


def test_a_uuid_breaks_ties():
    twin = {"item_id": "x", "level": "general", "state": "open", "deadline": None, "overdue": False}
    a, b = UUID(int=1), UUID(int=2)
    rows = [{**twin, "hazard_id": b}, {**twin, "hazard_id": a}]
    assert [r["hazard_id"] for r in sorted(rows, key=plan_key)] == [a, b]

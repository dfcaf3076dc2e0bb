"""The engine keeps a sheet's score with the sheet (``Engine.score_kept``): unchanged answers
are not scored again, a merge re-scores only its changes, and a plugin that adjusts scores
without re-scoring makes every merged sheet score whole."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic_core import to_json
from support import make_profile

from anbiao.core.engine import Engine
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models.answers import Answer, changed_answers, sheet_of
from anbiao.core.plugin_manager import build_plugin_manager


class Spy:
    """Counts the scorings (``assessment_scored``) and the re-scorings asked for."""

    def __init__(self) -> None:
        self.scored = 0
        self.rescored: list[tuple[str, ...]] = []

    @hookimpl
    def assessment_scored(self, **_: Any) -> None:
        self.scored += 1

    @hookimpl(tryfirst=True)
    def rescore_assessment(self, changed: tuple[str, ...], **_: Any) -> None:
        self.rescored.append(changed)  # no result: the default re-scores


class FewerPoints:
    """Adjusts every score through ``score_assessment`` alone (no ``rescore_assessment``)."""

    @hookimpl(wrapper=True)
    def score_assessment(self, **_: Any) -> Any:
        result = yield
        return replace(result, earned=result.earned // 2)


@pytest.fixture
def engine() -> Engine:
    return Engine(build_plugin_manager(load_entrypoints=False))


def _batch(composed: Any, status: str) -> dict[str, Answer | None]:
    """The first three items answered ``status``."""
    return {i: Answer.model_validate({"status": status}) for i in list(composed.items)[:3]}


def test_a_kept_score_is_reused_and_a_merge_rescores_its_changes_only(engine):
    spy = Spy()
    engine.pm.register(spy)
    profile, composed = engine.profile_of(make_profile().model_dump(mode="json"))
    stored = {i: {"status": "compliant"} for i in _batch(composed, "compliant")}
    engine.sheets.validated("a", stored)
    first = engine.score_kept("a", composed, profile)
    assert engine.score_kept("a", composed, profile) is first  # kept: not scored again
    assert spy.scored == 1 and spy.rescored == []
    batch = _batch(composed, "non_compliant")
    changes = changed_answers(stored, batch)
    engine.sheets.merge("a", stored, changes)
    result = engine.score_kept("a", composed, profile)
    assert spy.rescored == [tuple(changes)]  # only the batch's items re-scored
    assert result == engine.score(composed, sheet_of(engine.sheets.kept("a").answers), profile)
    assert result.earned < first.earned


def test_a_score_adjusted_without_rescoring_is_never_rescored(engine):
    spy = Spy()
    engine.pm.register(spy)
    engine.pm.register(FewerPoints())
    profile, composed = engine.profile_of(make_profile().model_dump(mode="json"))
    stored: dict[str, Any] = {}
    engine.sheets.validated("a", stored)
    engine.score_kept("a", composed, profile)
    batch = _batch(composed, "compliant")
    engine.sheets.merge("a", stored, changed_answers(stored, batch))
    after = engine.score_kept("a", composed, profile)
    assert spy.rescored == []
    whole = engine.score(composed, sheet_of(engine.sheets.kept("a").answers), profile)
    assert after == whole  # with the plugin's adjustment


def test_a_score_is_kept_for_its_checklist_and_profile_only(engine):
    spy = Spy()
    engine.pm.register(spy)
    small = engine.profile_of(make_profile().model_dump(mode="json"))
    other = engine.profile_of(make_profile(accidents_12m={"deaths": 1}).model_dump(mode="json"))
    engine.sheets.validated("a", {})
    engine.score_kept("a", small[1], small[0])
    engine.score_kept("a", other[1], other[0])
    assert spy.scored == 2  # another profile: scored again


def test_a_sheet_kept_from_its_json_is_reused_when_read_as_text(engine):
    """A sheet kept from decoded JSON (an application created from the stored answers) and read
    next as its JSON text (the submission) is neither validated nor scored again; other text
    is."""
    spy = Spy()
    engine.pm.register(spy)
    profile, composed = engine.profile_of(make_profile().model_dump(mode="json"))
    stored = {i: {"status": "compliant"} for i in _batch(composed, "compliant")}
    answers = engine.sheets.validated("a", stored)
    first = engine.score_kept("a", composed, profile)
    _, again = engine.sheets.read("a", to_json(stored).decode())
    assert again is answers and engine.score_kept("a", composed, profile) is first
    assert spy.scored == 1
    changed = {**stored, next(iter(stored)): {"status": "non_compliant"}}
    _, other = engine.sheets.read("a", to_json(changed).decode())
    assert other is not answers

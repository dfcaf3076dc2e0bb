"""Hook specifications of anbiao (pluggy project and entry-point group ``anbiao``).

Implementations may accept any subset of a hook's arguments; arguments are only ever added.
Every hook is documented in docs/plugin_hooks.md (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from anbiao.core.catalog import Catalog, Hazard, Industry, PackSource, ProfileIssue
    from anbiao.core.compose import ComposedChecklist
    from anbiao.core.models.answers import AnswerSheet
    from anbiao.core.models.checklist import Item
    from anbiao.core.models.profile import Profile
    from anbiao.core.result import AssessmentResult
    from anbiao.core.risk import RegionFacts

hookspec = pluggy.HookspecMarker("anbiao")
hookimpl = pluggy.HookimplMarker("anbiao")


# --- Registration: called once when the catalog is built -------------------------------------


@hookspec
def register_industries(register: Callable[[Industry], None]) -> None:
    """Register industries (行业) with ``register(Industry(...))``.

    Called when the catalog is built. A duplicate id raises an error naming both plugins.
    """


@hookspec
def register_hazards(register: Callable[[Hazard], None]) -> None:
    """Register hazard flags (专项) a profile may carry, with ``register(Hazard(...))``.

    Called when the catalog is built. Hazard modules apply when a profile has their flag.
    """


@hookspec
def register_checklists(register: Callable[[PackSource], None]) -> None:
    """Register checklist packs with ``register(source)``.

    ``source`` is a folder holding ``checklist.yaml`` (and optional ``cases/*.yaml``), a folder of
    such folders, or a validated pack model. Packs are parsed when the catalog is built; a
    duplicate pack or item id raises an error naming both plugins.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``anbiao`` command line (``cli.add_command(...)``).

    Called once when the command line starts. Built-in: ``anbiao.api.commands`` (serve, db, users).
    """


# --- Composition and validation -----------------------------------------------------------------


@hookspec(firstresult=True)
def is_item_applicable(item: Item, profile: Profile) -> bool | None:
    """Decide whether ``item`` applies to ``profile``.

    Called for every item while composing. Return True or False to decide, None for no opinion
    (the item's ``applies_if`` condition then decides). Stops at the first non-None result.
    """


@hookspec
def validate_profile(profile: Profile, catalog: Catalog) -> list[ProfileIssue] | None:
    """Check a profile beyond its field rules (e.g. region lists, industry-specific facts).

    Called by ``Engine.check_profile``. Return issues (errors block, warnings are shown).
    """


# --- Scoring -------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def score_assessment(
    composed: ComposedChecklist, answers: AnswerSheet, profile: Profile
) -> AssessmentResult | None:
    """Score answers against a composed checklist.

    The default implementation (``anbiao.plugins.default_scoring``, trylast) applies the
    conventions of domain.md §4. Plugins adjusting results should wrap it (``wrapper=True``) and
    return a modified result. Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def rescore_assessment(
    composed: ComposedChecklist,
    previous: AssessmentResult,
    answers: AnswerSheet,
    changed: tuple[str, ...],
    profile: Profile,
) -> AssessmentResult | None:
    """Score answers that differ from those ``previous`` scored only in the ``changed`` items.

    ``previous`` is what ``score_assessment`` returned for the same checklist and profile; the
    result must equal what ``score_assessment`` would return for ``answers`` (the saves of the
    service re-score only what they change). The engine calls it only when every plugin that
    implements ``score_assessment`` implements this too: a plugin adjusting scores through
    ``score_assessment`` alone makes every save score the whole sheet, as it should. The default
    (``anbiao.plugins.default_scoring``, trylast) re-scores the changed items. Stops at the first
    non-None result.
    """


@hookspec
def assessment_scored(
    composed: ComposedChecklist, answers: AnswerSheet, profile: Profile, result: AssessmentResult
) -> None:
    """Notification after an assessment was scored; the return value is ignored."""


# --- Statistics ----------------------------------------------------------------------------------


@hookspec(firstresult=True)
def region_risk_index(region: str, facts: RegionFacts) -> float | None:
    """The safety risk index (安全风险指数) of ``region`` (a prefecture code prefix, e.g. "3501").

    Called once per region by ``GET /api/v1/statistics/risk-ranking``; regions are ranked by it,
    highest first. Return a number (0–100 by convention) or None for no opinion. The default
    (``anbiao.plugins.default_risk``, trylast) is documented in docs/statistics.md. Stops at the
    first non-None result.
    """

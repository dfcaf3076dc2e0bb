"""The assessment engine: compose a checklist for a profile and score answers, through the hooks."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from anbiao.core.catalog import Catalog, ProfileIssue
from anbiao.core.compose import ComposedChecklist, Composer
from anbiao.core.errors import AssessmentError, Message, ProfileError
from anbiao.core.models.answers import AnswerSheet, ValidatedSheets, sheet_of
from anbiao.core.models.profile import Profile
from anbiao.core.result import AssessmentResult

if TYPE_CHECKING:
    import pluggy

COMPOSE_CACHE_SIZE = 512


class Engine:
    """Holds the catalog built from plugins; composes (cached) and scores."""

    def __init__(self, pm: pluggy.PluginManager, catalog: Catalog | None = None) -> None:
        self.pm = pm
        if catalog is not None:
            self.catalog = catalog
        self._cache: OrderedDict[tuple[object, ...], ComposedChecklist] = OrderedDict()
        self._stored: OrderedDict[str, tuple[Profile, ComposedChecklist]] = OrderedDict()
        self.sheets = ValidatedSheets()  # a service's saves validate only what they change

    @cached_property
    def catalog(self) -> Catalog:
        """Built on first use: every pack parsed, validated and linted (raises on problems)."""
        return Catalog.from_plugins(self.pm)

    @cached_property
    def _composer(self) -> Composer:
        return Composer(self.catalog, self.pm)

    @classmethod
    def from_plugins(
        cls,
        *,
        load_entrypoints: bool = True,
        allow: set[str] | None = None,
        block: set[str] | None = None,
    ) -> Engine:
        """An engine over a fresh plugin manager (options as in ``build_plugin_manager``)."""
        from anbiao.core.plugin_manager import build_plugin_manager

        return cls(
            build_plugin_manager(load_entrypoints=load_entrypoints, allow=allow, block=block)
        )

    def check_profile(self, profile: Profile) -> list[ProfileIssue]:
        """Plugin checks plus accepted warnings (e.g. a pilot USCC)."""
        issues = [
            ProfileIssue(field, message, severity="warning")
            for field, message in profile.warnings()
        ]
        for result in self.pm.hook.validate_profile(profile=profile, catalog=self.catalog):
            issues.extend(result or ())
        return issues

    def compose(self, profile: Profile) -> ComposedChecklist:
        """The checklist that applies to ``profile`` (cached on its applicability facts)."""
        errors = [i for i in self.check_profile(profile) if i.severity == "error"]
        if errors:
            raise ProfileError.of(e.coded for e in errors)
        key = profile.applicability_key()
        if (composed := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return composed
        composed = self._composer.compose(profile)
        self._cache[key] = composed
        if len(self._cache) > COMPOSE_CACHE_SIZE:
            self._cache.popitem(last=False)
        return composed

    def stored_profile(self, text: str) -> tuple[Profile, ComposedChecklist]:
        """A stored profile (its JSON text) validated and composed; kept by its text, so that
        the reads and saves of one assessment validate and compose it once."""
        if (kept := self._stored.get(text)) is not None:
            self._stored.move_to_end(text)
            return kept
        profile = Profile.model_validate_json(text)
        kept = self._stored[text] = (profile, self.compose(profile))
        if len(self._stored) > COMPOSE_CACHE_SIZE:
            self._stored.popitem(last=False)
        return kept

    def profile_of(self, data: dict[str, Any]) -> tuple[Profile, ComposedChecklist]:
        """A stored profile (its decoded JSON) validated and composed: kept by its JSON text, as
        ``stored_profile``."""
        return self.stored_profile(to_json(data).decode())

    def score(
        self, composed: ComposedChecklist, answers: AnswerSheet, profile: Profile
    ) -> AssessmentResult:
        """Score through the ``score_assessment`` hook, then notify ``assessment_scored``."""
        result: AssessmentResult | None = self.pm.hook.score_assessment(
            composed=composed, answers=answers, profile=profile
        )
        if result is None:
            raise AssessmentError.of([Message("scoring.no_plugin")])
        self.pm.hook.assessment_scored(
            composed=composed, answers=answers, profile=profile, result=result
        )
        return result

    def score_kept(
        self, key: Hashable, composed: ComposedChecklist, profile: Profile
    ) -> AssessmentResult:
        """Score the sheet ``self.sheets`` keeps under ``key`` (just read, validated or merged)
        and keep the result with it: unchanged answers are not scored again, and a sheet merged
        from a scored one re-scores only the items the merge changed (``rescore_assessment``,
        when every plugin that scores re-scores too). Raises as ``score``."""
        kept = self.sheets.kept(key)
        if (scored := kept.scored) is not None and scored[0] is composed and scored[1] is profile:
            return scored[2]
        answers = sheet_of(kept.answers)
        result: AssessmentResult
        base = kept.base
        if base and base[0][0] is composed and base[0][1] is profile and self._rescores():
            result = self.pm.hook.rescore_assessment(
                composed=composed,
                previous=base[0][2],
                answers=answers,
                changed=base[1],
                profile=profile,
            )
            self.pm.hook.assessment_scored(
                composed=composed, answers=answers, profile=profile, result=result
            )
        else:
            result = self.score(composed, answers, profile)
        kept.scored, kept.base = (composed, profile, result), None
        return result

    def _rescores(self) -> bool:
        """Whether every plugin that scores also re-scores (``rescore_assessment``)."""
        hooks = self.pm.hook
        rescoring = {impl.plugin for impl in hooks.rescore_assessment.get_hookimpls()}
        return all(impl.plugin in rescoring for impl in hooks.score_assessment.get_hookimpls())

    def assess(self, profile: Profile, answers: AnswerSheet) -> AssessmentResult:
        """Compose for ``profile`` and score ``answers``."""
        return self.score(self.compose(profile), answers, profile)

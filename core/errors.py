"""Error types of anbiao. Every user-facing failure is one of these, rendered as one clear line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

# The engine's user-facing messages by code, in English (the engine's own language); services
# render them in the user's language from their own catalog (``anbiao.api.kernel.i18n.CODES``).
MESSAGES: dict[str, str] = {
    "answer.unknown_item": "{item}: item is not in the composed checklist",
    "answer.not_applicable_item": "{item}: item is not applicable to this profile",
    "answer.na_not_allowed": "{item}: 不涉及 (N/A) is not allowed for this item",
    "answer.na_with_deductions": "{item}: an N/A answer cannot carry deductions",
    "answer.unknown_deduction": "{item}: unknown deduction '{deduction}' (defined: {defined})",
    "answer.deduction_once": (
        "{item}: deduction '{deduction}' may be chosen once, not {times} times"
    ),
    "answer.compliant_with_deductions": "{item}: a compliant answer cannot carry deductions",
    "answer.veto_partial": (
        "{item}: a veto item (否决项) is compliant or non-compliant, never partial"
    ),
    "answer.partial_needs_deduction": "{item}: a partial answer needs at least one deduction",
    "answer.deductions_need_status": "{item}: deductions need a status",
    "answer.more": "(+{n} more)",
    "scoring.no_plugin": "no plugin scored the assessment (is default_scoring blocked?)",
    # why an assessment may not apply (``Ineligibility.coded``)
    "eligibility.incomplete": "self-assessment incomplete: {unanswered} items unanswered",
    "eligibility.below_threshold": "score {percentage}% is below the {threshold}% needed to apply",
    "eligibility.veto": "veto items failed: {items}",
    "eligibility.deaths": "last 12 months: {value} deaths, more than {limit}",
    "eligibility.serious_injuries": "last 12 months: {value} serious injuries, more than {limit}",
    "eligibility.direct_loss": (
        "last 12 months: direct loss of {value} (10k yuan), more than {limit}"
    ),
    # profile checks of the default plugin (``ProfileIssue``)
    "profile.unknown_industry": "unknown industry '{industry}' (expected one of: {expected})",
    "profile.unknown_hazard": "unknown hazard '{hazard}' (expected any of: {expected})",
    "profile.issue": "{field}: {text}",  # a plugin's issue given as plain text
    # accepted, but shown (``Profile.warnings``)
    "uscc.check_digit": (
        "check digit mismatch (expected {expected}); accepted as a possible early pilot code, "
        "to be confirmed by a reviewer"
    ),
}


@dataclass(frozen=True, slots=True)
class Message:
    """A user-facing message: a stable code and its parameters; ``str()`` is the English text."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return MESSAGES[self.code].format(**self.params)


def register_messages(english: Mapping[str, str]) -> None:
    """Add a service's coded messages (code → English) so that theirs read like the engine's."""
    clashes = sorted(set(english) & set(MESSAGES))
    if any(MESSAGES[code] != english[code] for code in clashes):
        raise ValueError(f"message codes registered twice: {', '.join(clashes)}")
    MESSAGES.update(english)


class AnbiaoError(Exception):
    """Base class: a problem the user can fix, shown without a traceback.

    ``messages`` holds the coded messages when the error was raised from them (services render
    those in the user's language); ``str()`` is always the English text."""

    messages: tuple[Message, ...] = ()

    @classmethod
    def of(cls, messages: Iterable[Message], sep: str = "; ") -> Self:
        """The error made of coded ``messages`` (its text: their English, joined by ``sep``)."""
        found = tuple(messages)
        error = cls(sep.join(str(m) for m in found))
        error.messages = found
        return error


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in an authored file (``file:line:col: message``)."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


class ChecklistValidationError(AnbiaoError):
    """An authored checklist (or case, or profile) file is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class PluginLoadError(AnbiaoError):
    """A plugin could not be imported or registered; the message names the plugin."""


class PluginConflictError(AnbiaoError):
    """Two plugins contribute the same id; the message names both."""


class CompositionError(AnbiaoError):
    """Checklists cannot be composed for a profile (e.g. an overlay names an unknown item)."""


class AssessmentError(AnbiaoError):
    """Answers do not fit the composed checklist (unknown item, N/A not allowed, unknown
    deduction)."""


class ProfileError(AnbiaoError):
    """An enterprise profile is invalid; the message names the field and what is expected."""

"""Error types of anbiao. Every user-facing failure is one of these, rendered as one clear line."""

from __future__ import annotations

from dataclasses import dataclass


class AnbiaoError(Exception):
    """Base class: a problem the user can fix, shown without a traceback."""


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

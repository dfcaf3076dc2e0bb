"""anbiao.core — the assessment engine, content models and plugin host of anbiao (安标).

Plugin authors import public names from here only.
"""

from anbiao.core.catalog import Catalog, Hazard, Industry, ProfileIssue
from anbiao.core.errors import (
    AnbiaoError,
    AssessmentError,
    ChecklistValidationError,
    CompositionError,
    PluginConflictError,
    PluginLoadError,
    ProfileError,
)
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models._base import LocalizedText

__all__ = [
    "AnbiaoError",
    "AssessmentError",
    "Catalog",
    "ChecklistValidationError",
    "CompositionError",
    "Hazard",
    "Industry",
    "LocalizedText",
    "PluginConflictError",
    "PluginLoadError",
    "ProfileError",
    "ProfileIssue",
    "hookimpl",
]

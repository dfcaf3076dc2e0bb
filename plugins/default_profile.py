"""Profile checks that need the catalog: industry and hazards must be registered."""

from __future__ import annotations

from anbiao.core.catalog import Catalog, ProfileIssue
from anbiao.core.errors import Message
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models.profile import Profile


@hookimpl
def validate_profile(profile: Profile, catalog: Catalog) -> list[ProfileIssue]:
    """Industry and hazard ids must be registered (errors name what is expected)."""
    issues = []
    if profile.industry not in catalog.industries:
        known = ", ".join(sorted(catalog.industries))
        issues.append(
            ProfileIssue(
                "industry",
                Message(
                    "profile.unknown_industry", {"industry": profile.industry, "expected": known}
                ),
            )
        )
    for hazard in sorted(profile.hazards - catalog.hazards.keys()):
        known = ", ".join(sorted(catalog.hazards))
        issues.append(
            ProfileIssue(
                "hazards", Message("profile.unknown_hazard", {"hazard": hazard, "expected": known})
            )
        )
    return issues

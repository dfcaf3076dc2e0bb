"""Example anbiao plugin: one overlay pack and one profile check."""

from __future__ import annotations

from importlib.resources import files

from anbiao.core import ProfileIssue, hookimpl


@hookimpl
def register_checklists(register):
    register(files("anbiao_example") / "packs")


@hookimpl
def validate_profile(profile, catalog):
    size = profile.size_class()
    if size.value in ("medium", "large"):
        return [
            ProfileIssue(
                "employees",
                f"规模为 {size.value}，不属于小微企业 / not a small or micro "
                "enterprise; the base checklist is written for small and micro firms",
                severity="warning",
            )
        ]
    return []

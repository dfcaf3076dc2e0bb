"""Registers the bundled checklist packs in ``anbiao.industry_checklists``."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from anbiao.core.catalog import PackSource
from anbiao.core.hookspecs import hookimpl


@hookimpl
def register_checklists(register: Callable[[PackSource], None]) -> None:
    register(files("anbiao.industry_checklists"))

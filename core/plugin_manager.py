"""Building the plugin manager: built-ins, then entry points (group ``anbiao``), then checks.

Environment:

* ``ANBIAO_LOAD_PLUGINS`` — comma-separated allow-list of entry-point plugins; set but empty loads
  none (the escape hatch when a broken plugin stops start-up).
* ``ANBIAO_DISABLE_PLUGINS`` — comma-separated plugins (built-in or third-party) to block.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from importlib.metadata import entry_points, version

import pluggy

from anbiao.core import hookspecs
from anbiao.core.errors import PluginLoadError

GROUP = "anbiao"
DEFAULT_PLUGINS = (
    "anbiao.plugins.default_industries",
    "anbiao.plugins.default_hazards",
    "anbiao.plugins.default_profile",
    "anbiao.plugins.default_checklists",
    "anbiao.plugins.default_scoring",
    "anbiao.plugins.default_risk",
    "anbiao.api.commands",
)
ALLOW_ENV = "ANBIAO_LOAD_PLUGINS"
BLOCK_ENV = "ANBIAO_DISABLE_PLUGINS"


def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus the distribution each entry-point plugin came from."""

    def __init__(self) -> None:
        super().__init__(GROUP)
        self.distributions: dict[str, str] = {}


def build_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allow: set[str] | None = None,
    block: set[str] | None = None,
) -> PluginManager:
    """A fresh plugin manager; ``allow``/``block`` default to the environment variables."""
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    allow = allow if allow is not None else _names(os.environ.get(ALLOW_ENV))
    block = block if block is not None else (_names(os.environ.get(BLOCK_ENV)) or set())
    for name in block:
        pm.set_blocked(name)
    for module_name in DEFAULT_PLUGINS:
        if not pm.is_blocked(module_name):
            pm.register(importlib.import_module(module_name), name=module_name)
    if load_entrypoints:
        _load_entrypoints(pm, allow)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"plugin '{pm.get_name(exc.plugin)}': {exc}") from exc
    return pm


def _load_entrypoints(pm: PluginManager, allow: set[str] | None) -> None:
    for ep in entry_points(group=GROUP):
        if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        if allow is not None and ep.name not in allow:
            continue
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "unknown distribution"
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginLoadError(
                f"error importing plugin '{ep.name}' ({dist}): {type(exc).__name__}: {exc}. "
                f"Set {BLOCK_ENV}={ep.name} to start without it."
            ) from exc
        try:
            pm.register(plugin, name=ep.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginLoadError(f"error registering plugin '{ep.name}' ({dist}): {exc}") from exc
        pm.distributions[ep.name] = dist


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What ``anbiao plugins list`` shows for one plugin."""

    name: str
    distribution: str
    hooks: tuple[str, ...]


def list_plugins(pm: PluginManager) -> list[PluginInfo]:
    """Name, distribution and implemented hooks of every registered plugin."""
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        dist = pm.distributions.get(name) or (
            f"anbiao {version('anbiao')}" if name in DEFAULT_PLUGINS else "-"
        )
        infos.append(PluginInfo(name, dist, hooks))
    return infos

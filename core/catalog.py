"""The catalog: industries, hazards and checklist packs contributed by plugins."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, TypeAdapter

from anbiao.core.errors import ChecklistValidationError, Message, PluginConflictError, Problem
from anbiao.core.loader import Located, load_yaml
from anbiao.core.models._base import ContentModel, LocalizedText, Slug
from anbiao.core.models.checklist import (
    BaseChecklist,
    Checklist,
    Item,
    ModulePack,
    Overlay,
    iter_items,
)
from anbiao.core.size_class import SizeSector

if TYPE_CHECKING:
    import pluggy

PACK_FILE = "checklist.yaml"
CASES_DIR = "cases"
Pack = BaseChecklist | ModulePack | Overlay
PackSource = Traversable | Path | Pack
PACK_ADAPTER: TypeAdapter[Pack] = TypeAdapter(Checklist)


class Industry(ContentModel):
    """An industry (行业) a profile can name."""

    id: Slug
    title: LocalizedText
    gb4754_divisions: tuple[str, ...] = Field(default=(), description="GB/T 4754-2017 divisions.")
    size_sector: SizeSector = SizeSector.industrial


class Hazard(ContentModel):
    """A hazard flag (专项) a profile can carry."""

    id: Slug
    title: LocalizedText
    basis: str | None = Field(default=None, description="Where the hazard category is defined.")


@dataclass(frozen=True, slots=True)
class ProfileIssue:
    """A problem with a profile field: errors block, warnings are shown. A coded ``message``
    reads in the user's language; plain text is shown as the plugin wrote it."""

    field: str
    message: str | Message
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @property
    def coded(self) -> Message:
        """The issue as a coded message (a plugin's plain text under ``profile.issue``)."""
        if isinstance(self.message, Message):
            return self.message
        return Message("profile.issue", {"field": self.field, "text": self.message})


@dataclass(slots=True)
class PackEntry:
    """A loaded pack: the model, where it came from, and who contributed it."""

    pack: Pack
    plugin: str
    file: str
    digest: str
    located: Located | None = None
    folder: Traversable | None = None

    def cases(self) -> list[Traversable]:
        """The pack's case files (``cases/*.yaml``), sorted by name."""
        if self.folder is None or not (cases := self.folder / CASES_DIR).is_dir():
            return []
        return sorted(
            (f for f in cases.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name
        )


def read_pack(folder: Traversable, plugin: str = "file") -> PackEntry:
    """Load ``folder/checklist.yaml`` into a :class:`PackEntry` (raises with located problems)."""
    source = folder / PACK_FILE
    text = source.read_text(encoding="utf-8")
    name = str(source)
    pack, located = load_yaml(text, name, PACK_ADAPTER)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return PackEntry(pack, plugin, name, digest, located, folder)


def pack_folders(source: Traversable) -> list[Traversable]:
    """The pack folders at ``source``: itself if it holds checklist.yaml, else its sub-folders."""
    if (source / PACK_FILE).is_file():
        return [source]
    return sorted(
        (d for d in source.iterdir() if d.is_dir() and (d / PACK_FILE).is_file()),
        key=lambda d: d.name,
    )


def _call(impl: pluggy.HookImpl, register: object) -> None:
    """Call a registration hookimpl directly, so that conflicts can name its plugin."""
    impl.function(*(register for _ in impl.argnames))


@dataclass(slots=True)
class Catalog:
    """Everything plugins registered, keyed by id; duplicates are errors naming both plugins."""

    industries: dict[str, Industry] = field(default_factory=dict)
    hazards: dict[str, Hazard] = field(default_factory=dict)
    packs: dict[str, PackEntry] = field(default_factory=dict)
    _industry_owner: dict[str, str] = field(default_factory=dict)
    _hazard_owner: dict[str, str] = field(default_factory=dict)
    _item_owner: dict[str, str] = field(default_factory=dict)

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager, *, strict: bool = True) -> Catalog:
        """Call the registration hooks of every plugin and load their packs.

        With ``strict`` (the default) invalid packs raise; otherwise their problems are kept in
        ``catalog.problems`` and the valid packs are usable (what ``anbiao checklists lint`` needs).
        """
        catalog = cls()
        problems = catalog.problems
        for impl in pm.hook.register_industries.get_hookimpls():
            _call(impl, lambda i, n=impl.plugin_name: catalog.add_industry(i, n))
        for impl in pm.hook.register_hazards.get_hookimpls():
            _call(impl, lambda h, n=impl.plugin_name: catalog.add_hazard(h, n))
        for impl in pm.hook.register_checklists.get_hookimpls():

            def register(source: PackSource, plugin: str = impl.plugin_name) -> None:
                try:
                    catalog.add_source(source, plugin)
                except ChecklistValidationError as exc:
                    problems.extend(exc.problems)

            _call(impl, register)
        from anbiao.core.lint import lint_entry

        for entry in catalog.packs.values():
            problems.extend(lint_entry(entry, catalog))
        if problems and strict:
            raise ChecklistValidationError(problems)
        return catalog

    def add_industry(self, industry: Industry, plugin: str) -> None:
        if industry.id in self.industries:
            owner = self._industry_owner[industry.id]
            raise PluginConflictError(
                f"industry '{industry.id}' registered by both '{owner}' and '{plugin}'"
            )
        self.industries[industry.id] = industry
        self._industry_owner[industry.id] = plugin

    def add_hazard(self, hazard: Hazard, plugin: str) -> None:
        if hazard.id in self.hazards:
            raise PluginConflictError(
                f"hazard '{hazard.id}' registered by both '{self._hazard_owner[hazard.id]}' "
                f"and '{plugin}'"
            )
        self.hazards[hazard.id] = hazard
        self._hazard_owner[hazard.id] = plugin

    def add_source(self, source: PackSource, plugin: str) -> None:
        """Register a pack folder, a folder of pack folders, or a pack model."""
        if isinstance(source, BaseChecklist | ModulePack | Overlay):
            text = source.model_dump_json(by_alias=True)
            digest = hashlib.sha256(text.encode()).hexdigest()
            self.add_entry(PackEntry(source, plugin, f"<{plugin}:{source.id}>", digest))
            return
        folders = pack_folders(source)
        if not folders:
            raise ChecklistValidationError(
                [Problem(str(source), 1, 1, f"no {PACK_FILE} here or in its sub-folders")]
            )
        problems: list[Problem] = []
        for folder in folders:
            try:
                self.add_entry(read_pack(folder, plugin))
            except ChecklistValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ChecklistValidationError(problems)

    def add_entry(self, entry: PackEntry) -> None:
        pack = entry.pack
        if pack.id in self.packs:
            other = self.packs[pack.id]
            raise PluginConflictError(
                f"checklist '{pack.id}' registered by both '{other.plugin}' ({other.file}) "
                f"and '{entry.plugin}' ({entry.file})"
            )
        ids = [item.id for _, item in iter_items(pack.elements)]
        owners = {**self._item_owner}
        for item_id in ids:
            if owners.get(item_id, pack.id) != pack.id:  # duplicates inside a pack: see lint
                raise PluginConflictError(
                    f"item '{item_id}' of checklist '{pack.id}' ({entry.plugin}) already defined "
                    f"by checklist '{owners[item_id]}'"
                )
            owners[item_id] = pack.id
        self._item_owner = owners
        self.packs[pack.id] = entry

    def replace(self, entry: PackEntry) -> None:
        """Put ``entry`` in place of a pack with the same id (linting a working copy)."""
        if (old := self.packs.pop(entry.pack.id, None)) is not None:
            for _, item in iter_items(old.pack.elements):
                self._item_owner.pop(item.id, None)
        self.add_entry(entry)

    def item(self, item_id: str) -> tuple[PackEntry, Item] | None:
        """The pack and item for an id, or None."""
        if (pack_id := self._item_owner.get(item_id)) is None:
            return None
        entry = self.packs[pack_id]
        return entry, next(i for _, i in iter_items(entry.pack.elements) if i.id == item_id)

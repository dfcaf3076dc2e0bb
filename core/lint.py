"""Cross-field checks the JSON Schema cannot express; each problem is located ``file:line:col``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

from anbiao.core.catalog import Catalog, PackEntry
from anbiao.core.errors import AnbiaoError, Problem
from anbiao.core.loader import Located, Path
from anbiao.core.models._base import LocalizedText
from anbiao.core.models.checklist import (
    BaseChecklist,
    Condition,
    Element,
    Exclusion,
    Item,
    ItemChange,
    Overlay,
    Reference,
)
from anbiao.core.registers import register_for


def _elements(elements: Sequence[Element], path: Path) -> Iterator[tuple[Path, Element]]:
    for index, element in enumerate(elements):
        here = (*path, "elements", index)
        yield here, element
        yield from _elements(element.elements, here)


def _items(elements: Sequence[Element], path: Path = ()) -> Iterator[tuple[Path, Item]]:
    for here, element in _elements(elements, path):
        for index, item in enumerate(element.items):
            yield (*here, "items", index), item


def _conditions(
    pack_cond: Condition | None, items: list[tuple[Path, Item]]
) -> Iterator[tuple[Path, Condition]]:
    if pack_cond is not None:
        yield ("applies_to",), pack_cond
    for path, item in items:
        if item.applies_if is not None:
            yield (*path, "applies_if"), item.applies_if


def _flatten(cond: Condition, path: Path) -> Iterator[tuple[Path, Condition]]:
    yield path, cond
    for index, sub in enumerate(cond.any_of or ()):
        yield from _flatten(sub, (*path, "any_of", index))
    if cond.not_ is not None:
        yield from _flatten(cond.not_, (*path, "not"))


class _Checker:
    def __init__(self, entry: PackEntry, catalog: Catalog) -> None:
        self.entry = entry
        self.pack = entry.pack
        self.catalog = catalog
        self.located = entry.located or Located(entry.file, None)
        self.problems: list[Problem] = []

    def error(self, path: Path, message: str) -> None:
        self.problems.append(self.located.problem(path, message))

    def run(self) -> list[Problem]:
        items = list(_items(self.pack.elements))
        self.translations(items)
        self.element_codes()
        self.item_rules(items)
        self.references(items)
        self.conditions(items)
        if isinstance(self.pack, BaseChecklist):
            self.scoring(items)
        if isinstance(self.pack, Overlay):
            self.overlay()
        return self.problems

    def need_en(self, path: Path, text: LocalizedText | None) -> None:
        if text is not None and text.en is None:
            self.error((*path, "en"), "missing translation: 'en' is required here")

    def translations(self, items: list[tuple[Path, Item]]) -> None:
        self.need_en(("title",), self.pack.title)
        for index, doc in enumerate(self.pack.basis):
            self.need_en(("basis", index, "title"), doc.title)
        for path, element in _elements(self.pack.elements, ()):
            self.need_en((*path, "title"), element.title)

    def element_codes(self) -> None:
        def check(elements: Sequence[Element], path: Path, parent: str | None) -> None:
            seen: set[str] = set()
            for index, element in enumerate(elements):
                here = (*path, "elements", index)
                if element.code in seen:
                    self.error((*here, "code"), f"duplicate element code '{element.code}'")
                seen.add(element.code)
                if parent and not element.code.startswith(parent + "."):
                    self.error(
                        (*here, "code"), f"element '{element.code}' must be inside '{parent}'"
                    )
                check(element.elements, here, element.code)

        check(self.pack.elements, (), None)

    def item_rules(self, items: list[tuple[Path, Item]]) -> None:
        prefix = f"{self.pack.id}."
        seen: dict[str, Path] = {}
        for path, item in items:
            if not item.id.startswith(prefix):
                self.error((*path, "id"), f"item id '{item.id}' must start with '{prefix}'")
            if item.id in seen:
                self.error((*path, "id"), f"duplicate item id '{item.id}'")
            seen[item.id] = path
            ids: set[str] = set()
            for index, deduction in enumerate(item.deductions):
                here = (*path, "deductions", index)
                if deduction.id in ids:
                    self.error(
                        (*here, "id"), f"duplicate deduction id '{deduction.id}' in '{item.id}'"
                    )
                ids.add(deduction.id)
                if deduction.points > item.max_score:
                    self.error(
                        (*here, "points"),
                        f"deduction '{deduction.id}' of {deduction.points} points is over the "
                        f"item's max score {item.max_score}",
                    )
            if not item.deductions and item.veto is None:
                self.error((*path, "deductions"), f"item '{item.id}' needs named deductions")

    def references(self, items: list[tuple[Path, Item]]) -> None:
        docs = {doc.id for doc in self.pack.basis}
        ids: set[str] = set()
        for index, doc in enumerate(self.pack.basis):
            if doc.id in ids:
                self.error(("basis", index, "id"), f"duplicate basis document '{doc.id}'")
            ids.add(doc.id)

        def check(path: Path, ref: Reference) -> None:
            if ref.doc not in docs:
                self.error(
                    (*path, "doc"), f"unknown basis document '{ref.doc}' (declare it in 'basis')"
                )

        for path, item in items:
            for index, ref in enumerate(item.basis):
                check((*path, "basis", index), ref)
            if item.veto is not None:
                check((*path, "veto"), item.veto)
                self.registered((*path, "veto"), item.veto)
        if isinstance(self.pack, Overlay):
            for index, change in enumerate(self.pack.modify):
                if change.veto is not None:
                    check(("modify", index, "veto"), change.veto)
                    self.registered(("modify", index, "veto"), change.veto)

    def registered(self, path: Path, veto: Reference) -> None:
        """A veto citing a registered order (by its code) must cite one of its criteria."""
        code = next((d.code for d in self.pack.basis if d.id == veto.doc), None)
        register = register_for(code)
        if register is not None and register.criterion(veto.clause or "") is None:
            self.error(
                (*path, "clause"),
                f"veto clause '{veto.clause}' is not in the register of {register.code} "
                f"(_registers/{register.id}.yaml)",
            )

    def conditions(self, items: list[tuple[Path, Item]]) -> None:
        if not self.catalog.industries and not self.catalog.hazards:
            return
        for path, top in _conditions(getattr(self.pack, "applies_to", None), items):
            for here, cond in _flatten(top, path):
                for index, industry in enumerate(cond.industries or ()):
                    if industry not in self.catalog.industries:
                        self.error((*here, "industries", index), f"unknown industry '{industry}'")
                for key in ("hazards_any", "hazards_all"):
                    for index, hazard in enumerate(getattr(cond, key) or ()):
                        if hazard not in self.catalog.hazards:
                            self.error((*here, key, index), f"unknown hazard '{hazard}'")

    def scoring(self, items: list[tuple[Path, Item]]) -> None:
        assert isinstance(self.pack, BaseChecklist)
        scoring = self.pack.scoring
        total = sum(item.max_score for _, item in items)
        if total != scoring.full_marks:
            self.error(
                ("scoring", "full_marks"),
                f"full_marks is {scoring.full_marks} but the items add up to {total}",
            )
        minimums = [band.min_percentage for band in scoring.bands]
        if minimums != sorted(set(minimums)):
            self.error(("scoring", "bands"), "bands must have strictly ascending min_percentage")
        for index, band in enumerate(scoring.bands):
            self.need_en(("scoring", "bands", index, "title"), band.title)

    def overlay(self) -> None:
        assert isinstance(self.pack, Overlay)
        targets = set(self.pack.targets)
        for index, target in enumerate(self.pack.targets):
            if target not in self.catalog.packs:
                self.error(
                    ("targets", index), f"overlay target '{target}' is not a known checklist"
                )
        changes: dict[str, Sequence[ItemChange | Exclusion]] = {
            "modify": self.pack.modify,
            "exclude": self.pack.exclude,
        }
        for key, entries in changes.items():
            for index, entry in enumerate(entries):
                found = self.catalog.item(entry.item)
                if found is None or found[0].pack.id not in targets:
                    message = f"overlay references unknown item '{entry.item}'"
                    self.error((key, index, "item"), f"{message} (not in {sorted(targets)})")


def lint_entry(entry: PackEntry, catalog: Catalog) -> list[Problem]:
    """Every cross-field problem of one loaded pack, checked against ``catalog``."""
    return _Checker(entry, catalog).run()


def lint_catalog(catalog: Catalog) -> list[Problem]:
    """Every cross-field problem of every pack in the catalog."""
    return [p for entry in catalog.packs.values() for p in lint_entry(entry, catalog)]


__all__ = ["lint_catalog", "lint_entry"]


def lint_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Problem]:
    """Lint pack folders (or their checklist.yaml) against the installed catalog.

    Packs given here replace installed packs of the same id, so a working copy is checked
    against the rest of the catalog (overlay targets, industries, hazards).
    """
    from pathlib import Path as FsPath

    from anbiao.core.catalog import pack_folders, read_pack
    from anbiao.core.errors import ChecklistValidationError
    from anbiao.core.plugin_manager import build_plugin_manager

    catalog = Catalog.from_plugins(build_plugin_manager(), strict=False)
    problems: list[Problem] = []
    entries: list[PackEntry] = []
    for raw in paths:
        path = FsPath(raw)
        folder = path.parent if path.is_file() else path
        folders = pack_folders(folder)
        if not folders:
            problems.append(Problem(str(path), 1, 1, "no checklist.yaml here or in sub-folders"))
        for pack_folder in folders:
            try:
                entries.append(read_pack(pack_folder))
            except ChecklistValidationError as exc:
                problems.extend(exc.problems)
    for entry in entries:
        try:
            catalog.replace(entry)
        except AnbiaoError as exc:
            problems.append(Problem(entry.file, 1, 1, str(exc)))
    for entry in entries:
        problems.extend(lint_entry(entry, catalog))
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))

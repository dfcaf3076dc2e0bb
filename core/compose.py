"""Composition: base + industry + hazard modules + overlays → the checklist one enterprise uses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from anbiao.core.catalog import Catalog, PackEntry
from anbiao.core.errors import CompositionError
from anbiao.core.models._base import ContentModel, LocalizedText
from anbiao.core.models.checklist import (
    BaseChecklist,
    BasisDocument,
    Condition,
    Element,
    Exclusion,
    Item,
    ItemChange,
    Overlay,
    ProcedureRules,
    Reference,
    Scoring,
)
from anbiao.core.models.profile import Profile
from anbiao.core.size_class import SizeClass

if TYPE_CHECKING:
    import pluggy

KIND_ORDER = {"base": 0, "industry": 1, "hazard_module": 2, "overlay": 3}


def holds(cond: Condition, profile: Profile, size: SizeClass) -> bool:
    """Whether every field of ``cond`` holds for the profile."""
    return (
        (cond.industries is None or profile.industry in cond.industries)
        and (cond.hazards_any is None or not profile.hazards.isdisjoint(cond.hazards_any))
        and (cond.hazards_all is None or profile.hazards.issuperset(cond.hazards_all))
        and (cond.size_classes is None or size in cond.size_classes)
        and (cond.regions is None or profile.region.startswith(tuple(cond.regions)))
        and (cond.employees_min is None or profile.employees >= cond.employees_min)
        and (cond.employees_max is None or profile.employees <= cond.employees_max)
        and (cond.any_of is None or any(holds(c, profile, size) for c in cond.any_of))
        and (cond.not_ is None or not holds(cond.not_, profile, size))
    )


@dataclass(frozen=True, slots=True)
class PackRef:
    """A pack used in a composition, pinned by version and content digest."""

    id: str
    version: str
    kind: str
    digest: str


@dataclass(frozen=True, slots=True)
class ComposedItem:
    """An item as composed: possibly changed by an overlay, with its pack and element path."""

    item: Item
    pack: str
    element: str  # code of the element holding it (二级 or 一级)
    top: str  # code of its 一级 element
    changed_by: tuple[str, ...] = ()  # overlays that modified it


@dataclass(frozen=True, slots=True)
class ComposedElement:
    code: str
    title: LocalizedText
    elements: tuple[ComposedElement, ...]
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComposedChecklist:
    """The checklist for one profile; immutable, cached by the engine."""

    packs: tuple[PackRef, ...]
    fingerprint: str
    scoring: Scoring
    procedure: ProcedureRules
    elements: tuple[ComposedElement, ...]
    items: MappingProxyType[str, ComposedItem]
    excluded: MappingProxyType[str, LocalizedText]  # item id → overlay's reason
    basis: MappingProxyType[tuple[str, str], BasisDocument]  # (pack, doc id) → document
    not_applicable: tuple[str, ...] = ()  # items filtered out by applicability
    element_codes: tuple[str, ...] = ()  # every element code, in tree order
    item_elements: tuple[str, ...] = ()  # the element code of every item, in order
    max_scores: tuple[int, ...] = ()  # the max score of every item, in order
    element_parents: tuple[tuple[str, str], ...] = ()  # (二级 code, its 一级 code), deepest first
    _index: dict[str, Any] = field(
        default_factory=dict, repr=False, compare=False
    )  # scoring's rules

    def cite(self, pack: str, ref: Reference) -> str:
        """A reference rendered for people: document code or title, then the clause."""
        doc = self.basis[(pack, ref.doc)]
        name = doc.code or f"《{doc.title.zh_CN}》"
        return f"{name} {ref.clause}" if ref.clause else name


@dataclass
class _Node:
    code: str
    title: LocalizedText
    children: dict[str, _Node] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)


def _sort_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def _freeze(nodes: dict[str, _Node], keep: set[str]) -> tuple[ComposedElement, ...]:
    out = []
    for code in sorted(nodes, key=_sort_key):
        node = nodes[code]
        children = _freeze(node.children, keep)
        items = tuple(i for i in node.items if i in keep)
        if children or items:
            out.append(ComposedElement(code, node.title, children, items))
    return tuple(out)


class Composer:
    """Composes packs from a catalog; applicability may be decided by plugins."""

    def __init__(self, catalog: Catalog, pm: pluggy.PluginManager | None = None) -> None:
        self.catalog = catalog
        self.pm = pm

    def select(self, profile: Profile, size: SizeClass) -> list[PackEntry]:
        """The packs that apply to ``profile``, in composition order."""
        chosen = []
        for entry in self.catalog.packs.values():
            pack = entry.pack
            cond = getattr(pack, "applies_to", None)
            if cond is None or holds(cond, profile, size):
                chosen.append(entry)
        bases = [e for e in chosen if isinstance(e.pack, BaseChecklist)]
        if len(bases) != 1:
            found = ", ".join(e.pack.id for e in bases) or "none"
            raise CompositionError(f"exactly one base checklist must apply; found: {found}")
        present = {e.pack.id for e in chosen}
        chosen = [
            e for e in chosen if not isinstance(e.pack, Overlay) or present & set(e.pack.targets)
        ]
        return sorted(chosen, key=lambda e: (KIND_ORDER[e.pack.kind], e.pack.id))

    def compose(self, profile: Profile) -> ComposedChecklist:
        size = profile.size_class()
        entries = self.select(profile, size)
        base = entries[0].pack
        assert isinstance(base, BaseChecklist)
        roots: dict[str, _Node] = {}
        items: dict[str, ComposedItem] = {}
        basis: dict[tuple[str, str], BasisDocument] = {}
        for entry in entries:
            for doc in entry.pack.basis:
                basis[(entry.pack.id, doc.id)] = doc
            self._merge(entry.pack.id, entry.pack.elements, roots, items, None)
        scoring, procedure = base.scoring, ProcedureRules()
        excluded: dict[str, LocalizedText] = {}
        composed_ids = {e.pack.id for e in entries}
        for entry in entries:
            if isinstance(entry.pack, Overlay):
                scoring, procedure = self._tailor(
                    entry.pack, composed_ids, items, excluded, scoring, procedure
                )
        keep, not_applicable = set(), []
        for item_id, composed in items.items():
            if item_id in excluded:
                continue
            if self._applies(composed.item, profile, size):
                keep.add(item_id)
            else:
                not_applicable.append(item_id)
        elements = _freeze(roots, keep)
        ordered = {i: items[i] for i in _walk_ids(elements)}
        refs = tuple(PackRef(e.pack.id, e.pack.version, e.pack.kind, e.digest) for e in entries)
        return ComposedChecklist(
            packs=refs,
            fingerprint=_fingerprint(refs, ordered),
            scoring=scoring,
            procedure=procedure,
            elements=elements,
            items=MappingProxyType(ordered),
            excluded=MappingProxyType(excluded),
            basis=MappingProxyType(basis),
            not_applicable=tuple(not_applicable),
            element_codes=tuple(_walk_codes(elements)),
            item_elements=tuple(ci.element for ci in ordered.values()),
            max_scores=tuple(ci.item.max_score for ci in ordered.values()),
            element_parents=tuple(_parents(elements)),
        )

    def _merge(
        self,
        pack_id: str,
        elements: Sequence[Element],
        nodes: dict[str, _Node],
        items: dict[str, ComposedItem],
        top: str | None,
    ) -> None:
        for element in elements:
            node = nodes.setdefault(element.code, _Node(element.code, element.title))
            root = top or element.code
            for item in element.items:
                node.items.append(item.id)
                items[item.id] = ComposedItem(item, pack_id, element.code, root)
            self._merge(pack_id, element.elements, node.children, items, root)

    def _tailor(
        self,
        overlay: Overlay,
        composed_ids: set[str],
        items: dict[str, ComposedItem],
        excluded: dict[str, LocalizedText],
        scoring: Scoring,
        procedure: ProcedureRules,
    ) -> tuple[Scoring, ProcedureRules]:
        targets = set(overlay.targets)
        changes: list[ItemChange | Exclusion] = [*overlay.modify, *overlay.exclude]
        for change in changes:
            found = self.catalog.item(change.item)
            if found is None or found[0].pack.id not in targets:
                raise CompositionError(
                    f"overlay '{overlay.id}' references unknown item '{change.item}'"
                )
        for change in overlay.modify:
            if (composed := items.get(change.item)) is None:
                continue  # its pack is not part of this composition
            update = {k: v for k, v in change if v is not None and k not in ("item", "reason")}
            items[change.item] = ComposedItem(
                composed.item.model_copy(update=update),
                composed.pack,
                composed.element,
                composed.top,
                (*composed.changed_by, overlay.id),
            )
        for exclusion in overlay.exclude:
            if exclusion.item in items:
                excluded[exclusion.item] = exclusion.reason
        if overlay.scoring is not None:
            scoring = scoring.model_copy(update=_set_fields(overlay.scoring))
        if overlay.procedure is not None:
            procedure = procedure.model_copy(update=_set_fields(overlay.procedure))
        return scoring, procedure

    def _applies(self, item: Item, profile: Profile, size: SizeClass) -> bool:
        if self.pm is not None:
            decided = self.pm.hook.is_item_applicable(item=item, profile=profile)
            if decided is not None:
                return bool(decided)
        return item.applies_if is None or holds(item.applies_if, profile, size)


def _set_fields(change: ContentModel) -> dict[str, Any]:
    """The fields an overlay sets (``None`` keeps the tailored value)."""
    return {k: v for k, v in change if v is not None}


def _walk_ids(elements: tuple[ComposedElement, ...]) -> Iterator[str]:
    for element in elements:
        yield from element.items
        yield from _walk_ids(element.elements)


def _walk_codes(elements: tuple[ComposedElement, ...]) -> Iterator[str]:
    for element in elements:
        yield element.code
        yield from _walk_codes(element.elements)


def _parents(elements: tuple[ComposedElement, ...]) -> list[tuple[str, str]]:
    """(child, parent) code pairs, deepest first, so that sums roll up level by level."""
    pairs: list[tuple[str, str]] = []
    for element in elements:
        pairs.extend(_parents(element.elements))
        pairs.extend((child.code, element.code) for child in element.elements)
    return pairs


def _fingerprint(packs: tuple[PackRef, ...], items: dict[str, ComposedItem]) -> str:
    payload = json.dumps(
        {"packs": [[p.id, p.version, p.digest] for p in packs], "items": list(items)},
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


__all__ = ["ComposedChecklist", "ComposedElement", "ComposedItem", "Composer", "PackRef", "holds"]

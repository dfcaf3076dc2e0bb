"""The bundled content: lint-clean, complete, and every shipped case passes."""

from __future__ import annotations

from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest
from support import make_profile

from anbiao.core.cases import load_case, run_case
from anbiao.core.engine import Engine
from anbiao.core.models.checklist import BaseChecklist, ModulePack, Overlay, iter_items
from anbiao.core.plugin_manager import build_plugin_manager
from anbiao.core.render import update_pack_table

ROOT = Path(__file__).parents[2]
INDUSTRIES = [
    "metallurgy",
    "nonferrous",
    "building_materials",
    "machinery",
    "light_industry",
    "textile",
    "tobacco",
    "commerce_trade",
]
HAZARDS = ["dust_explosion", "ammonia_refrigeration", "confined_space", "metal_smelting"]
CASES = sorted(Path(str(files("anbiao.industry_checklists"))).glob("*/cases/*.yaml"))


@pytest.fixture(scope="module")
def bundled() -> Engine:
    return Engine(build_plugin_manager(load_entrypoints=False))  # strict: lint problems raise


def items_of(pack):
    return [item for _, item in iter_items(pack.elements)]


def test_base_pack(bundled):
    base = bundled.catalog.packs["base"].pack
    assert isinstance(base, BaseChecklist)
    items = items_of(base)
    assert len(items) >= 120
    assert sum(i.max_score for i in items) == base.scoring.full_marks == 1000
    assert [e.code for e in base.elements] == [f"5.{n}" for n in range(1, 9)]
    assert sum(len(e.elements) for e in base.elements) == 28
    assert all(len(sub.items) >= 2 for e in base.elements for sub in e.elements)
    assert base.scoring.bands[0].min_percentage == 60
    assert base.scoring.eligibility.apply_percentage == 70
    clauses = {i.veto.clause for i in items if i.veto}
    assert {"第三条(一)", "第三条(二)"} <= clauses


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_industry_packs(bundled, industry):
    pack = bundled.catalog.packs[industry].pack
    assert isinstance(pack, ModulePack) and pack.kind == "industry"
    assert pack.applies_to.industries == [industry]
    items = items_of(pack)
    assert len(items) >= 25 and sum(i.max_score for i in items) == 200
    assert all(i.applies_if is None for i in items)


ARTICLE_OF_MODULE = {"dust_explosion": 11, "ammonia_refrigeration": 12, "confined_space": 13}


@pytest.mark.parametrize("hazard", HAZARDS)
def test_hazard_modules(bundled, hazard):
    pack = bundled.catalog.packs[hazard].pack
    assert isinstance(pack, ModulePack) and pack.kind == "hazard_module"
    assert pack.applies_to.hazards_any == [hazard]
    items = items_of(pack)
    assert sum(i.max_score for i in items) == 100
    # Arts. 11–13 of 令第10号 bind the dust, ammonia and confined-space modules; metal smelting
    # has no article of its own (第三条(三) binds every metal-smelting firm and lives in base).
    assert any(i.veto for i in items) is (hazard in ARTICLE_OF_MODULE)
    # Art. 14 (monitoring, alarm and protection devices) reaches the modules whose article names
    # such a device: dust (spark detection, venting…) and confined spaces (gas detectors, fans).
    assert any(i.protective_device for i in items) is (
        hazard in ("dust_explosion", "confined_space")
    )


def test_veto_items_are_major_hazards_with_a_clause(bundled):
    for entry in bundled.catalog.packs.values():
        for item in items_of(entry.pack):
            if item.veto is not None:
                assert item.major_hazard, item.id
                assert item.veto.clause, item.id


def test_fujian_overlay(bundled):
    fujian = bundled.catalog.packs["fujian"].pack
    assert isinstance(fujian, Overlay)
    assert sorted(fujian.applies_to.regions) == [f"350{n}" for n in range(1, 10)]
    assert items_of(fujian) and fujian.exclude and fujian.procedure.assumptions


def test_every_pack_ships_three_cases(bundled):
    counts = Counter(path.parent.parent.name for path in CASES)
    for pack_id in bundled.catalog.packs:
        assert counts[pack_id] >= 3, f"{pack_id} has {counts[pack_id]} cases"


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_case(bundled, case):
    outcome = run_case(bundled, case)
    assert outcome.ok, "\n".join(outcome.failures)


def _expected_packs(bundled, profile) -> list[str]:
    ids = ["base", profile.industry, *sorted(profile.hazards)]
    ids += [
        p
        for p, e in bundled.catalog.packs.items()
        if isinstance(e.pack, Overlay)
        and any(profile.region.startswith(r) for r in e.pack.applies_to.regions)
    ]
    return ids


@pytest.mark.parametrize(
    "profile",
    sorted(
        {load_case(c).profile.applicability_key(): load_case(c).profile for c in CASES}.values(),
        key=repr,
    ),
    ids=repr,
)
def test_composed_item_counts_per_element_match_the_packs(bundled, profile):
    composed = bundled.compose(profile)
    packs = _expected_packs(bundled, profile)
    assert [p.id for p in composed.packs] == packs
    expected: Counter[str] = Counter()
    excluded = set()
    for pack_id in packs:
        pack = bundled.catalog.packs[pack_id].pack
        for codes, _item in iter_items(pack.elements):
            expected[codes[-1]] += 1
        excluded |= {e.item for e in getattr(pack, "exclude", [])}
    for item_id in excluded:
        if (found := bundled.catalog.item(item_id)) and found[0].pack.id in packs:
            code = next(c for c, i in iter_items(found[0].pack.elements) if i.id == item_id)[-1]
            expected[code] -= 1
    actual = Counter(ci.element for ci in composed.items.values())
    assert actual == +expected


def test_done_when_machinery_dust_confined_space_in_fuzhou(bundled):
    profile = make_profile(region="350102", hazards=["dust_explosion", "confined_space"])
    composed = bundled.compose(profile)
    assert [p.id for p in composed.packs] == [
        "base",
        "machinery",
        "confined_space",
        "dust_explosion",
        "fujian",
    ]


def test_docs_table_is_current(bundled):
    doc = (ROOT / "docs" / "checklists.md").read_text(encoding="utf-8")
    assert update_pack_table(doc, bundled.catalog) == doc, "run: anbiao checklists docs"

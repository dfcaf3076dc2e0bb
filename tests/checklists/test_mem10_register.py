"""Drift check: the register of 令第10号 and the bundled packs cannot part.

Every readable criterion is the veto of exactly one item of the pack the register names (Art. 3 in
base, Arts. 4–10 in the industry packs, 11–13 in the hazard modules); every veto item cites a
criterion; Art. 14 reaches its articles' packs through ``protective_device`` items; and some shipped
case fails each veto while the firm still scores at least 95 %.
"""

from __future__ import annotations

from collections import defaultdict
from importlib.resources import files
from pathlib import Path

import pytest

from anbiao.core.cases import load_case
from anbiao.core.coverage import cites, coverage
from anbiao.core.engine import Engine
from anbiao.core.models.checklist import Item, iter_items
from anbiao.core.models.register import Criterion, Register
from anbiao.core.plugin_manager import build_plugin_manager
from anbiao.core.registers import bundled_registers

CASES = sorted(Path(str(files("anbiao.industry_checklists"))).glob("*/cases/*.yaml"))
KIND_OF_ARTICLE = {3: "base", **dict.fromkeys(range(4, 11), "industry")}
KIND_OF_ARTICLE.update(dict.fromkeys(range(11, 14), "hazard_module"))


@pytest.fixture(scope="module")
def bundled() -> Engine:
    return Engine(build_plugin_manager(load_entrypoints=False))


@pytest.fixture(scope="module")
def register() -> Register:
    [mem10] = bundled_registers()
    return mem10


def _vetoes(bundled: Engine, register: Register) -> dict[str, list[tuple[str, Item]]]:
    found: dict[str, list[tuple[str, Item]]] = defaultdict(list)
    for pack_id, entry in bundled.catalog.packs.items():
        for _, item in iter_items(entry.pack.elements):
            if item.veto is not None:
                assert cites(entry.pack, item.veto, register), f"{item.id} vetoes another order"
                found[item.veto.clause or ""].append((pack_id, item))
    return found


def _readable(register: Register) -> list[Criterion]:
    rule = register.protective_devices
    return [
        c for c in register.criteria if c.readable and (rule is None or c.clause != rule.clause)
    ]


def test_every_criterion_is_the_veto_of_exactly_one_item_of_its_pack(bundled, register):
    vetoes = _vetoes(bundled, register)
    for criterion in _readable(register):
        cited = vetoes.get(criterion.clause, [])
        assert [p for p, _ in cited] == [criterion.pack], criterion.clause
        kind = bundled.catalog.packs[criterion.pack or ""].pack.kind
        assert kind == KIND_OF_ARTICLE[criterion.article], criterion.clause


def test_every_veto_cites_a_readable_criterion(bundled, register):
    for clause, cited in _vetoes(bundled, register).items():
        criterion = register.criterion(clause)
        assert criterion is not None and criterion.readable, (clause, [i.id for _, i in cited])


def test_veto_items_are_concrete_site_checks(bundled, register):
    for cited in _vetoes(bundled, register).values():
        for _, item in cited:
            assert item.major_hazard and item.evidence is not None, item.id
            assert item.confidence.value == "confirmed", item.id
            assert any(ref.clause == item.veto.clause for ref in item.basis), item.id


def test_protective_device_rule_reaches_every_listed_article(bundled, register):
    rule = register.protective_devices
    assert rule is not None and rule.clause == "第十四条"
    packs = {c.article: c.pack for c in register.criteria}
    for article in rule.articles:
        items = [i for _, i in iter_items(bundled.catalog.packs[packs[article]].pack.elements)]
        assert any(i.protective_device for i in items), article
    # Art. 12 names no device (air-conditioning method, head count): its pack has none to list.
    assert 12 not in rule.articles


def test_some_case_fails_each_veto_while_scoring_high(bundled, register):
    failing: dict[str, list[float]] = defaultdict(list)
    for path in CASES:
        expect = load_case(path).expect
        for item_id in expect.vetoes or ():
            assert expect.eligible is False, path
            failing[item_id].append(expect.percentage or 0.0)
    for clause, cited in _vetoes(bundled, register).items():
        [(_, item)] = cited
        assert failing.get(item.id), f"no case fails {item.id} ({clause})"
        assert max(failing[item.id]) >= 95, item.id


def test_coverage_has_nothing_missing(bundled, register):
    result = coverage(register, bundled.catalog)
    assert result.ok, result.as_dict()
    assert sum(row.criteria for row in result.rows[:-1]) == len(_readable(register))

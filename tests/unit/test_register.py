"""Registers: the model's rules, located loading errors, clause numbers and the coverage count."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anbiao.core.catalog import Catalog, PackEntry
from anbiao.core.coverage import article_clause, coverage
from anbiao.core.errors import ChecklistValidationError
from anbiao.core.models.checklist import ModulePack
from anbiao.core.models.register import chinese_number, clause_key
from anbiao.core.registers import bundled_registers, load_register

HEAD = """\
schema_version: 1
id: demo
code: 示例令第1号
title: {zh-CN: 示例判定标准, en: Demo criteria}
protective_devices: {clause: 第三条, articles: [2]}
criteria:
"""
READ = """\
  - clause: {clause}
    article: {article}
    pack: {pack}
    text: {{zh-CN: 转述, en: paraphrase}}
    confidence: confirmed
    source: {{url: "https://example.invalid/a", corpus: pages}}
"""
RULE = READ.format(clause="第三条", article=3, pack="null")


def _entry(clause: str, article: int, pack: str = "demo_pack") -> str:
    return READ.format(clause=clause, article=article, pack=pack)


def _load(text: str):
    return load_register(text, "reg.yaml")


def _problems(text: str) -> list[str]:
    with pytest.raises(ChecklistValidationError) as info:
        _load(text)
    return [str(p) for p in info.value.problems]


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def test_a_valid_register_loads():
    register = _load(HEAD + _entry("第二条(一)", 2) + _entry("第二条(二)", 2) + RULE)
    assert [c.clause for c in register.criteria] == ["第二条(一)", "第二条(二)", "第三条"]
    assert register.criterion("第二条(二)") is not None
    assert register.criterion("第二条") is None


def test_article_must_match_the_clause():
    text = HEAD + _entry("第二条(一)", 3) + RULE
    [problem] = _problems(text)
    assert "article 3 does not match clause 第二条(一)" in problem
    assert problem.startswith(f"reg.yaml:{_line_of(text, '第二条(一)')}:")


def test_unread_entries_list_the_searches_and_carry_no_text():
    unread = "  - {clause: 第二条(一), article: 2, pack: demo_pack, confidence: unread}\n"
    [problem] = _problems(HEAD + unread + RULE)
    assert "unread criterion has no text and lists the searches tried" in problem
    searched = unread.replace("unread}", "unread, searches: [第二条 示例]}")
    assert not _load(HEAD + searched + RULE).criteria[0].readable


def test_partial_entries_say_what_is_missing():
    partial = _entry("第二条(一)", 2).replace("confirmed", "partial")
    [problem] = _problems(HEAD + partial + RULE)
    assert "'gap' is required for partial criteria" in problem
    with_gap = partial + "    gap: the second limb was not read\n"
    assert _load(HEAD + with_gap + RULE).criteria[0].readable


def test_duplicate_and_out_of_order_clauses_point_at_their_lines():
    text = HEAD + _entry("第二条(二)", 2) + _entry("第二条(一)", 2) + _entry("第二条(一)", 2) + RULE
    problems = _problems(text)
    assert problems == [
        f"reg.yaml:{_line_of(text, '第二条(一)')}:5: error: '第二条(一)' is out of order",
        f"reg.yaml:{_line_of(text, '第二条(一)', 2)}:5: error: duplicate clause '第二条(一)'",
    ]


def test_one_pack_per_article():
    text = HEAD + _entry("第二条(一)", 2) + _entry("第二条(二)", 2, "other") + RULE
    [problem] = _problems(text)
    assert "article 2 binds pack 'demo_pack', not 'other'" in problem
    assert problem.startswith(f"reg.yaml:{_line_of(text, 'pack: other')}:")


def test_protective_device_rule_names_registered_articles():
    text = HEAD.replace("articles: [2]", "articles: [2, 7]") + _entry("第二条(一)", 2) + RULE
    [problem] = _problems(text)
    assert "article 7 has no registered criterion with a pack" in problem


def test_unknown_fields_are_located():
    text = HEAD + _entry("第二条(一)", 2) + "    colour: red\n" + RULE
    [problem] = _problems(text)
    assert problem == f"reg.yaml:{_line_of(text, 'colour')}:5: error: unknown field 'colour'"


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=19))
def test_clause_numbers_round_trip(article, sub):
    clause = article_clause(article)
    assert chinese_number(clause[1:-1]) == article
    numbered = f"{clause}({article_clause(sub)[1:-1]})" if sub else clause
    assert clause_key(numbered) == (article, sub)


def test_bundled_register_is_valid_and_covers_articles_3_to_14():
    [register] = bundled_registers()
    assert register.code == "应急管理部令第10号"
    assert sorted({c.article for c in register.criteria}) == list(range(3, 15))
    assert all(c.source is not None for c in register.criteria if c.readable)


def test_coverage_counts_missing_and_duplicate_vetoes():
    register = _load(HEAD + _entry("第二条(一)", 2) + _entry("第二条(二)", 2) + RULE)
    pack = ModulePack.model_validate(
        {
            "schema_version": 1,
            "id": "demo_pack",
            "version": "1.0",
            "kind": "industry",
            "title": {"zh-CN": "示例", "en": "Demo"},
            "applies_to": {"industries": ["demo"]},
            "basis": [{"id": "order", "code": "示例令第1号", "title": {"zh-CN": "示例"}}],
            "elements": [
                {
                    "code": "5",
                    "title": {"zh-CN": "现场", "en": "Site"},
                    "items": [
                        {
                            "id": f"demo_pack.{n}",
                            "requirement": {"zh-CN": "要求"},
                            "max_score": 5,
                            "veto": {"doc": "order", "clause": "第二条(一)"},
                            "basis": [{"doc": "order"}],
                        }
                        for n in (1, 2)
                    ],
                }
            ],
        }
    )
    catalog = Catalog(packs={"demo_pack": PackEntry(pack, "test", "<demo>", "0")})
    result = coverage(register, catalog)
    [article, rule] = result.rows
    assert (article.clause, article.criteria, article.vetoes) == ("第二条", 2, 2)
    assert article.missing == ("第二条(二)",)
    assert result.duplicates == {"第二条(一)": ["demo_pack.1", "demo_pack.2"]}
    assert rule.clause == "第三条" and rule.missing == ("第二条 demo_pack",)
    assert not result.ok

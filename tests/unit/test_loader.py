"""Authoring errors are reported as file:line:col with a clear message, never a traceback."""

from pathlib import Path

import pytest
from support import PACKS

from anbiao.core.errors import ChecklistValidationError
from anbiao.core.lint import lint_paths

MINI = (PACKS / "mini" / "checklist.yaml").read_text(encoding="utf-8")


def _problems(tmp_path: Path, text: str, name: str = "pack") -> list[str]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "checklist.yaml").write_text(text, encoding="utf-8")
    return [str(p) for p in lint_paths([folder])]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_mini_pack_is_clean(tmp_path):
    assert _problems(tmp_path, MINI) == []


def test_unknown_field_points_at_its_line(tmp_path):
    text = MINI.replace("        na_allowed: true", "        na_allowed: true\n        colour: red")
    [problem] = _problems(tmp_path, text)
    assert problem.endswith("error: unknown field 'colour'")
    assert f"checklist.yaml:{_line_of(text, 'colour')}:9:" in problem


def test_bad_type_names_the_path(tmp_path):
    text = MINI.replace(
        "max_score: 10\n            deductions", "max_score: ten\n            deductions"
    )
    [problem] = _problems(tmp_path, text)
    assert f":{_line_of(text, 'max_score: ten')}:" in problem
    assert "max_score" in problem and "integer" in problem


def test_unquoted_version_is_a_type_error(tmp_path):
    [problem] = _problems(tmp_path, MINI.replace('version: "2026.1"', "version: 2026.1"))
    assert "version" in problem and "string" in problem


def test_duplicate_yaml_key(tmp_path):
    text = MINI.replace("kind: base", "kind: base\nkind: base")
    [problem] = _problems(tmp_path, text)
    assert f":{_line_of(text, 'kind: base') + 1}:1: error: duplicate key 'kind'" in problem


def test_yaml_syntax_error(tmp_path):
    [problem] = _problems(tmp_path, "id: x\n  bad: [\n")
    assert ":2:" in problem and "YAML syntax" in problem


def test_cross_field_rules(tmp_path):
    text = (
        MINI.replace("id: mini.5-4.02", "id: mini.5-4.01")  # duplicate item id
        .replace("points: 4}", "points: 11}")  # deduction over max score
        .replace(
            "{doc: mem10, clause: 第十三条}", "{doc: mem99, clause: 第十三条}"
        )  # undeclared doc
        .replace("title: {zh-CN: 目标, en: Objectives}", "title: {zh-CN: 目标}")  # translation
        .replace("full_marks: 30", "full_marks: 40")
    )
    problems = "\n".join(_problems(tmp_path, text))
    assert "duplicate item id 'mini.5-4.01'" in problems
    assert "deduction 'not-assigned' of 11 points is over the item's max score 10" in problems
    assert "unknown basis document 'mem99'" in problems
    assert "missing translation" in problems
    assert "full_marks is 40 but the items add up to 30" in problems
    for line in problems.splitlines():
        file, line_no, col, _ = line.split(":", 3)
        assert file.endswith("checklist.yaml") and int(line_no) > 1 and int(col) >= 1


def test_unknown_industry_in_condition(tmp_path):
    text = MINI.replace(
        "        na_allowed: true",
        "        na_allowed: true\n        applies_if: {industries: [mining]}",
    )
    assert any("unknown industry 'mining'" in p for p in _problems(tmp_path, text))


def test_dangling_overlay_reference(tmp_path):
    text = (PACKS / "mini-fj" / "checklist.yaml").read_text(encoding="utf-8")
    text = text.replace("item: mini.5-1-1.01", "item: mini.9-9.99")
    problems = [
        str(p)
        for p in lint_paths([PACKS / "mini", PACKS / "mini-machinery", _write(tmp_path, text)])
    ]
    assert any("overlay references unknown item 'mini.9-9.99'" in p for p in problems)


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "checklist.yaml").write_text(text, encoding="utf-8")
    return folder


def test_loader_raises_one_error_with_every_problem(load_checklist_text):
    with pytest.raises(ChecklistValidationError) as info:
        load_checklist_text("schema_version: 1\nid: Bad Id\nkind: base\n")
    messages = [p.message for p in info.value.problems]
    assert any("id" in m for m in messages) and any("missing required field" in m for m in messages)


def test_enum_values_are_accepted_as_yaml_strings(tmp_path):
    text = MINI.replace(
        "        na_allowed: true",
        "        na_allowed: true\n"
        "        confidence: unconfirmed\n"
        "        applies_if: {size_classes: [micro, small]}",
    )
    assert _problems(tmp_path, text) == []
    bad = text.replace("confidence: unconfirmed", "confidence: maybe")
    [problem] = _problems(tmp_path, bad, "bad")
    assert "confidence" in problem and "'confirmed' or 'unconfirmed'" in problem


def test_wrapped_chinese_lines_join_without_spaces(load_checklist_text):
    text = MINI.replace(
        "requirement: {zh-CN: 特种作业人员持证上岗。}",
        "requirement:\n          zh-CN: >-\n"
        "            特种作业人员\n            持证上岗（含 H2S 检测）。",
    )
    pack = load_checklist_text(text)
    item = pack.elements[1].items[0]
    assert item.requirement.zh_CN == "特种作业人员持证上岗（含 H2S 检测）。"

"""`anbiao checklists coverage`, the generated coverage table, the register schema, veto lint."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from anbiao.core import registers
from anbiao.core.cli import main
from anbiao.core.coverage import COVERAGE_BEGIN, COVERAGE_END
from anbiao.core.models.register import Criterion

ROOT = Path(__file__).parents[2]
BUNDLED = Path(str(files("anbiao.industry_checklists")))


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setenv("ANBIAO_LOAD_PLUGINS", "")  # bundled content only

    def invoke(*args: object):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_coverage_text_lists_every_article(run):
    result = run("checklists", "coverage")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "应急管理部令第10号 《工贸企业重大事故隐患判定标准》"
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert list(rows) == [f"第{n}条" for n in "三四五六七八九十"] + [
        f"第十{n}条" for n in "一二三四"
    ]
    assert rows["第八条"][1:] == ["light_industry", "7", "0", "7", "-"]
    assert rows["第十四条"][1] == "(protective_device)"


def test_coverage_json(run):
    result = run("checklists", "coverage", "--format", "json")
    assert result.exit_code == 0
    [mem10] = json.loads(result.output)
    assert mem10["ok"] is True and mem10["duplicates"] == {}
    by_clause = {row["clause"]: row for row in mem10["articles"]}
    assert by_clause["第五条"] == {
        "article": 5,
        "clause": "第五条",
        "pack": "nonferrous",
        "criteria": 13,
        "unread": 0,
        "vetoes": 13,
        "missing": [],
    }
    assert all(row["criteria"] == row["vetoes"] for row in mem10["articles"][:-1])


def test_a_criterion_without_veto_fails_the_coverage(run, monkeypatch):
    [mem10] = registers.bundled_registers()
    extra = Criterion.model_validate(
        {
            "clause": "第八条(八)",
            "article": 8,
            "pack": "light_industry",
            "text": {"zh-CN": "测试用的额外情形"},
            "confidence": "confirmed",
            "source": {"url": "https://example.invalid", "corpus": "pages"},
        }
    )
    extended = mem10.model_copy(update={"criteria": [*mem10.criteria, extra]})
    monkeypatch.setattr(registers, "bundled_registers", lambda: (extended,))
    result = run("checklists", "coverage")
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if line.startswith("第八条"))
    assert row.split()[1:] == ["light_industry", "8", "0", "7", "第八条(八)"]


def test_docs_check_sees_a_stale_coverage_table(run, tmp_path):
    doc = tmp_path / "checklists.md"
    current = (ROOT / "docs" / "checklists.md").read_text(encoding="utf-8")
    head, _, rest = current.partition(COVERAGE_BEGIN)
    _, _, tail = rest.partition(COVERAGE_END)
    doc.write_text(f"{head}{COVERAGE_BEGIN}\nstale\n{COVERAGE_END}{tail}", encoding="utf-8")
    assert run("checklists", "docs", "--check", "--file", doc).exit_code == 1
    assert run("checklists", "docs", "--file", doc).exit_code == 0
    assert doc.read_text(encoding="utf-8") == current
    assert run("checklists", "docs", "--check", "--file", doc).exit_code == 0


def test_register_schema_is_printed_and_checked(run):
    schema = json.loads(run("checklists", "schema", "--kind", "register").output)
    assert schema["title"].startswith("anbiao register of a regulation")
    assert set(schema["required"]) >= {"schema_version", "id", "code", "title", "criteria"}
    assert run("checklists", "schema", "--check").output.strip() == "schemas are current"


def test_lint_rejects_a_veto_citing_an_unregistered_clause(run, tmp_path):
    pack = tmp_path / "light_industry"
    shutil.copytree(BUNDLED / "light_industry", pack)
    text = (pack / "checklist.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        "veto: {doc: mem10, clause: 第八条(七)}", "veto: {doc: mem10, clause: 第八条}"
    )
    (pack / "checklist.yaml").write_text(broken, encoding="utf-8")
    line = next(n for n, s in enumerate(broken.splitlines(), 1) if "clause: 第八条}" in s)
    result = run("checklists", "lint", pack)
    assert result.exit_code == 1
    assert (
        f"{pack / 'checklist.yaml'}:{line}:32: error: veto clause '第八条' is not in the register "
        "of 应急管理部令第10号 (_registers/mem10.yaml)"
    ) in result.output

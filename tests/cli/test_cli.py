"""The command line: exit codes, one-line errors, JSON output, templates that round-trip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from support import PACKS

from anbiao.core.cli import main

DEMO = Path(__file__).parents[2] / "core" / "data"


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setenv("ANBIAO_LOAD_PLUGINS", "")  # bundled content only

    def invoke(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_lint_clean_and_broken(run, tmp_path):
    assert run("checklists", "lint", PACKS / "mini").exit_code == 0
    broken = tmp_path / "broken"
    shutil.copytree(PACKS / "mini", broken)
    text = (broken / "checklist.yaml").read_text(encoding="utf-8")
    (broken / "checklist.yaml").write_text(
        text.replace("kind: base", "kind: bass"), encoding="utf-8"
    )
    result = run("checklists", "lint", broken)
    assert result.exit_code == 1
    assert f"{broken / 'checklist.yaml'}:5:1: error: kind: 'bass' is not one of" in result.output
    assert "Traceback" not in result.output


def test_schema_check_passes(run):
    result = run("checklists", "schema", "--check")
    assert result.exit_code == 0, result.output


def test_list_show_and_plugins(run):
    listing = run("checklists", "list").output
    assert "base" in listing and "machinery" in listing and "fujian" in listing
    shown = run("checklists", "show", "machinery", "--lang", "en")
    assert shown.exit_code == 0 and "5.4" in shown.output and "pts" in shown.output
    assert run("checklists", "show", "nope").exit_code == 2
    plugins = json.loads(run("plugins", "list", "--json").output)
    by_name = {p["name"]: p for p in plugins}
    assert "base" in by_name["anbiao.plugins.default_checklists"]["checklists"]
    assert by_name["anbiao.plugins.default_scoring"]["hooks"] == [
        "rescore_assessment",
        "score_assessment",
    ]


def test_demo_assessment_text_and_json(run):
    text = run("demo")
    assert text.exit_code in (0, 1) and "得分率" in text.output and "Traceback" not in text.output
    data = json.loads(run("demo", "--format", "json").output)
    assert [p["id"] for p in data["packs"]][:2] == ["base", "machinery"]
    assert data["earned"] == sum(i["earned"] for i in data["items"] if i["status"] != "na")
    assert run("demo", "--format", "json").exit_code == (0 if data["passed"] else 1)
    assert "Percentage" in run("demo", "--lang", "en").output


def test_template_round_trips_to_an_assessment(run, tmp_path):
    out = tmp_path / "answers.yaml"
    assert run("template", "--profile", DEMO / "demo_profile.yaml", "-o", out).exit_code == 0
    blank = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert blank["default"] is None and all(
        v == {"status": None} for v in blank["answers"].values()
    )
    unanswered = run(
        "assess", "--profile", DEMO / "demo_profile.yaml", "--answers", out, "--format", "json"
    )
    assert unanswered.exit_code == 1
    assert json.loads(unanswered.output)["complete"] is False
    filled = {"default": "compliant", "answers": {}}
    out.write_text(yaml.safe_dump(filled), encoding="utf-8")
    done = run(
        "assess", "--profile", DEMO / "demo_profile.yaml", "--answers", out, "--format", "json"
    )
    assert done.exit_code == 0 and json.loads(done.output)["percentage"] == "100.0"


def test_bad_inputs_are_one_line_errors(run, tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "uscc: 123\nname: x\nregion: '350102'\nindustry: machinery\n"
        "employees: 3\nannual_revenue_10k: 10\n",
        encoding="utf-8",
    )
    result = run("profile", "check", profile)
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"{profile}:1:") and "uscc" in result.output
    answers = tmp_path / "a.yaml"
    answers.write_text("answers:\n  base.nope: {status: compliant}\n", encoding="utf-8")
    result = run("assess", "--profile", DEMO / "demo_profile.yaml", "--answers", answers)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "base.nope" in result.output


def test_profile_check_reports_size_and_packs(run):
    result = run("profile", "check", DEMO / "demo_profile.yaml")
    assert result.exit_code == 0 and "micro" in result.output and "fujian" in result.output


def test_checklists_test_runs_every_case(run):
    result = run("checklists", "test")
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output

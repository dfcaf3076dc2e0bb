"""The ``anbiao`` command line. Errors are one clear line (or one line per located problem)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from anbiao.core.errors import AnbiaoError, ChecklistValidationError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from importlib.resources.abc import Traversable

    from anbiao.core.coverage import Coverage
    from anbiao.core.engine import Engine
    from anbiao.core.models.answers import AnswerSheet
    from anbiao.core.models.profile import Profile

DEBUG_ENV = "ANBIAO_DEBUG"


class _Group(click.Group):
    """Turns anbiao errors into messages and exit code 2; never a traceback unless debugging."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChecklistValidationError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            ctx.exit(1)
        except AnbiaoError as exc:
            click.echo(f"错误 / error: {exc}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(
                f"内部错误 / internal error: {type(exc).__name__}: {exc} "
                f"(set {DEBUG_ENV}=1 for details)",
                err=True,
            )
            ctx.exit(3)


@click.group(cls=_Group)
@click.version_option(package_name="anbiao")
def main() -> None:
    """安标 anbiao — 工贸小微企业安全生产标准化 self-assessment and review."""


def _engine() -> Engine:
    from anbiao.core.engine import Engine

    return Engine.from_plugins()


# --- checklists ------------------------------------------------------------------------------


@main.group(cls=_Group)
def checklists() -> None:
    """List, show, lint and test checklist packs; export the JSON Schema."""


@checklists.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint_cmd(paths: tuple[Path, ...]) -> None:
    """Check pack folders or checklist.yaml files; print file:line:col: message, exit 1 on error."""
    from anbiao.core.lint import lint_paths

    problems = lint_paths(paths)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    click.echo(f"{errors} error(s) in {len(paths)} path(s)", err=True)
    if errors:
        raise click.exceptions.Exit(1)


@checklists.command("schema")
@click.option(
    "--kind",
    type=click.Choice(["checklist", "register"]),
    default="checklist",
    show_default=True,
    help="Pack files or registers of regulations.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file.")
@click.option("--check", is_flag=True, help="Exit 1 if a committed schema is out of date.")
def schema_cmd(kind: Literal["checklist", "register"], output: Path | None, check: bool) -> None:
    """Print the JSON Schema of checklist (or register) files (validation mode)."""
    from anbiao.core.schema import SPECS, committed_schema, render_schema

    if check:
        stale = [k for k in SPECS if committed_schema(k) != render_schema(k)]
        for stale_kind in stale:
            click.echo(
                f"{stale_kind}.schema.json is out of date: run `anbiao checklists schema --kind "
                f"{stale_kind} -o industry_checklists/{SPECS[stale_kind].file}`",
                err=True,
            )
        if stale:
            raise click.exceptions.Exit(1)
        click.echo("schemas are current")
    elif output:
        output.write_text(render_schema(kind), encoding="utf-8")
    else:
        click.echo(render_schema(kind), nl=False)


@checklists.command("test")
@click.argument("pack_ids", nargs=-1)
def test_cmd(pack_ids: tuple[str, ...]) -> None:
    """Run the packs' cases/*.yaml (all packs, or those named); exit 1 if any fails."""
    from anbiao.core.cases import run_all

    outcomes = run_all(_engine(), list(pack_ids) or None)
    for outcome in outcomes:
        mark = "ok  " if outcome.ok else "FAIL"
        click.echo(f"{mark} {outcome.file} — {outcome.title}")
        for failure in outcome.failures:
            click.echo(f"       {failure}")
    failed = sum(not o.ok for o in outcomes)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    if failed or not outcomes:
        raise click.exceptions.Exit(1)


@checklists.command("list")
def list_cmd() -> None:
    """Every pack in the catalog: id, version, kind, items, veto items, plugin."""
    from anbiao.core.models.checklist import iter_items

    engine = _engine()
    click.echo(f"{'id':<22} {'version':<9} {'kind':<14} {'items':>5} {'veto':>4}  title / plugin")
    for pack_id, entry in engine.catalog.packs.items():
        items = [i for _, i in iter_items(entry.pack.elements)]
        vetoes = sum(i.veto is not None for i in items)
        click.echo(
            f"{pack_id:<22} {entry.pack.version:<9} {entry.pack.kind:<14} {len(items):>5} "
            f"{vetoes:>4}  {entry.pack.title.zh_CN} / {entry.plugin}"
        )


@checklists.command("show")
@click.argument("pack_id")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def show_cmd(pack_id: str, lang: str) -> None:
    """Render one pack as an element tree with scores, deductions and vetoes."""
    from anbiao.core.render import render_pack

    engine = _engine()
    if (entry := engine.catalog.packs.get(pack_id)) is None:
        known = ", ".join(engine.catalog.packs)
        raise click.UsageError(f"unknown checklist '{pack_id}' (known: {known})")
    click.echo(render_pack(entry.pack, lang))


@checklists.command("coverage")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def coverage_cmd(fmt: str) -> None:
    """Per article of each register: criteria read, veto items, criteria missing; exit 1 if any."""
    from anbiao.core.coverage import coverage
    from anbiao.core.registers import bundled_registers

    catalog = _engine().catalog
    results = [coverage(register, catalog) for register in bundled_registers()]
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            click.echo(_coverage_text(result))
    if not all(result.ok for result in results):
        raise click.exceptions.Exit(1)


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    from unicodedata import east_asian_width

    used = sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 1)


def _coverage_text(result: Coverage) -> str:
    lines = [f"{result.register.code} 《{result.register.title.zh_CN}》"]
    lines.append(f"{_pad('article', 10)}{_pad('pack', 24)}criteria  unread  vetoes  missing")
    for row in result.rows:
        lines.append(
            f"{_pad(row.clause, 10)}{_pad(row.pack or '(protective_device)', 24)}"
            f"{row.criteria:>8}{row.unread:>8}{row.vetoes:>8}  {', '.join(row.missing) or '-'}"
        )
    for clause, items in result.duplicates.items():
        lines.append(f"{clause} is the veto of {len(items)} items: {', '.join(items)}")
    return "\n".join(lines)


@checklists.command("docs")
@click.option("--check", is_flag=True, help="Exit 1 if docs/checklists.md is out of date.")
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path),
    default=Path("docs/checklists.md"),
    show_default=True,
)
def docs_cmd(check: bool, path: Path) -> None:
    """Regenerate the pack table and the register coverage table in docs/checklists.md."""
    from anbiao.core.coverage import coverage, update_coverage_table
    from anbiao.core.engine import Engine
    from anbiao.core.registers import bundled_registers
    from anbiao.core.render import update_pack_table

    current = path.read_text(encoding="utf-8")
    catalog = Engine.from_plugins(load_entrypoints=False).catalog
    updated = update_pack_table(current, catalog)
    results = [coverage(register, catalog) for register in bundled_registers()]
    updated = update_coverage_table(updated, results)
    if check:
        if updated != current:
            click.echo(f"{path} is out of date: run `anbiao checklists docs`", err=True)
            raise click.exceptions.Exit(1)
        click.echo(f"{path} is current")
    elif updated != current:
        path.write_text(updated, encoding="utf-8")
        click.echo(f"updated {path}")


# --- plugins -----------------------------------------------------------------------------------


@main.group(cls=_Group)
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_list(as_json: bool) -> None:
    """Name, version, hooks implemented and checklists contributed by every plugin."""
    from anbiao.core.engine import Engine
    from anbiao.core.plugin_manager import build_plugin_manager, list_plugins

    pm = build_plugin_manager()
    engine = Engine(pm)
    rows = []
    for info in list_plugins(pm):
        packs = [p for p, e in engine.catalog.packs.items() if e.plugin == info.name]
        rows.append(
            {
                "name": info.name,
                "distribution": info.distribution,
                "hooks": list(info.hooks),
                "checklists": packs,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']}  ({row['distribution']})")
        click.echo(f"    hooks: {', '.join(row['hooks']) or '-'}")
        if row["checklists"]:
            click.echo(f"    checklists: {', '.join(row['checklists'])}")


# --- profiles, templates, assessments ----------------------------------------------------------


def _load_profile(path: Path) -> Profile:
    from pydantic import TypeAdapter

    from anbiao.core.loader import load_yaml
    from anbiao.core.models.profile import Profile

    return load_yaml(path.read_text(encoding="utf-8"), str(path), TypeAdapter(Profile))[0]


def _load_answers(path: Path) -> AnswerSheet:
    from pydantic import TypeAdapter

    from anbiao.core.loader import load_yaml
    from anbiao.core.models.answers import AnswerSheet

    return load_yaml(path.read_text(encoding="utf-8"), str(path), TypeAdapter(AnswerSheet))[0]


@main.group(cls=_Group)
def profile() -> None:
    """Enterprise profiles (企业基本信息)."""


@profile.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def profile_check(file: Path) -> None:
    """Validate a profile file; prints its size class and the packs that apply."""
    prof = _load_profile(file)
    engine = _engine()
    issues = engine.check_profile(prof)
    for issue in issues:
        click.echo(f"{file}: {issue.severity}: {issue}", err=True)
    if any(i.severity == "error" for i in issues):
        raise click.exceptions.Exit(1)
    composed = engine.compose(prof)
    click.echo(f"{prof.name} ({prof.uscc}) — 规模 size class: {prof.size_class().value}")
    click.echo("适用清单 checklists: " + ", ".join(f"{p.id} {p.version}" for p in composed.packs))
    click.echo(f"检查项 items: {len(composed.items)}   fingerprint: {composed.fingerprint}")


@main.command()
@click.option(
    "--profile",
    "profile_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def template(profile_path: Path, output: Path | None, lang: str) -> None:
    """Write a blank answers file for the enterprise in PROFILE."""
    from anbiao.core.render import answers_template

    prof = _load_profile(profile_path)
    engine = _engine()
    text = answers_template(engine.compose(prof), prof, lang)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.command()
@click.option(
    "--profile",
    "profile_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def assess(profile_path: Path, answers_path: Path, fmt: str, lang: str) -> None:
    """Score a self-assessment. Exit 0 when the standard is reached, 1 when not, 2 on bad input."""
    _assess(_load_profile(profile_path), _load_answers(answers_path), fmt, lang)


def _assess(prof: Profile, answers: AnswerSheet, fmt: str, lang: str) -> None:
    from anbiao.core.report import render_text, result_to_dict

    engine = _engine()
    composed = engine.compose(prof)
    result = engine.score(composed, answers, prof)
    if fmt == "json":
        click.echo(json.dumps(result_to_dict(result, composed), ensure_ascii=False, indent=2))
    else:
        for warning in prof.warnings():
            click.echo(f"warning: {warning}", err=True)
        click.echo(render_text(result, composed, prof, lang), nl=False)
    raise click.exceptions.Exit(0 if result.passed else 1)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def demo(fmt: str, lang: str) -> None:
    """Self-assess the bundled demo enterprise (a micro machinery workshop in Fuzhou)."""
    from importlib.resources import files

    data = files("anbiao.core") / "data"
    with _as_path(data / "demo_profile.yaml") as p, _as_path(data / "demo_answers.yaml") as a:
        prof, answers = _load_profile(p), _load_answers(a)
    _assess(prof, answers, fmt, lang)


def _as_path(resource: Traversable) -> AbstractContextManager[Path]:
    from importlib.resources import as_file

    return as_file(resource)


def run() -> None:
    """Entry point: the built-in commands plus those of plugins (``register_commands``)."""
    from anbiao.core.plugin_manager import build_plugin_manager

    try:
        build_plugin_manager().hook.register_commands(cli=main)
    except AnbiaoError as exc:
        click.echo(f"错误 / error: {exc}", err=True)
        sys.exit(2)
    main()


if __name__ == "__main__":  # pragma: no cover
    run()

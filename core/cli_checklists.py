"""``anbiao checklists …``: lint, test, list, show and document checklist packs; export the JSON
Schema; report the coverage of the registers. Errors are reported by the main group (cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

if TYPE_CHECKING:
    from anbiao.core.coverage import Coverage
    from anbiao.core.engine import Engine


def installed_engine() -> Engine:
    """An engine over the installed plugins (entry points included)."""
    from anbiao.core.engine import Engine

    return Engine.from_plugins()


@click.group()
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

    outcomes = run_all(installed_engine(), list(pack_ids) or None)
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

    engine = installed_engine()
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

    engine = installed_engine()
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

    catalog = installed_engine().catalog
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

"""The ``anbiao`` command line. Errors are one clear line (or one line per located problem)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from anbiao.core.errors import AnbiaoError, ChecklistValidationError

DEBUG_ENV = "ANBIAO_DEBUG"


class _Group(click.Group):
    """Turns anbiao errors into messages and exit code 2; never a traceback unless debugging."""

    def invoke(self, ctx: click.Context):
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


def _engine():
    from anbiao.core.engine import Engine

    return Engine.from_plugins()


# --- checklists ------------------------------------------------------------------------------


@main.group(cls=_Group)
def checklists() -> None:
    """List, show, lint and test checklist packs; export the JSON Schema."""


@checklists.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint_cmd(paths: tuple[Path, ...]) -> None:
    """Check pack folders or checklist.yaml files; prints file:line:col: message, exit 1 on errors."""
    from anbiao.core.lint import lint_paths

    problems = lint_paths(paths)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    click.echo(f"{errors} error(s) in {len(paths)} path(s)", err=True)
    if errors:
        raise click.exceptions.Exit(1)


@checklists.command("schema")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file.")
@click.option("--check", is_flag=True, help="Exit 1 if the committed schema is out of date.")
def schema_cmd(output: Path | None, check: bool) -> None:
    """Print the JSON Schema of checklist files (validation mode)."""
    from anbiao.core.schema import committed_schema, render_schema

    text = render_schema()
    if check:
        if committed_schema() != text:
            click.echo("checklist.schema.json is out of date: run `anbiao checklists schema "
                       "-o industry_checklists/schema/checklist.schema.json`", err=True)
            raise click.exceptions.Exit(1)
        click.echo("schema is current")
    elif output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


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

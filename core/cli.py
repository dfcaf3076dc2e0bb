"""The ``anbiao`` command line. Errors are one clear line (or one line per located problem)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from anbiao.core.cli_checklists import checklists, installed_engine
from anbiao.core.errors import AnbiaoError, ChecklistValidationError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from importlib.resources.abc import Traversable

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


main.add_command(checklists)


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
    engine = installed_engine()
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
    engine = installed_engine()
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

    engine = installed_engine()
    composed = engine.compose(prof)
    result = engine.score(composed, answers, prof)
    if fmt == "json":
        click.echo(json.dumps(result_to_dict(result, composed), ensure_ascii=False, indent=2))
    else:
        for field, warning in prof.warnings():
            click.echo(f"warning: {field}: {warning}", err=True)
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

"""Built-in plugin adding the service's commands to ``anbiao`` (imported only by the CLI)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from anbiao.core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def register_commands(cli: click.Group) -> None:
    from anbiao.api.cli import db, messages, serve, users

    for command in (serve, db, users, messages):
        cli.add_command(command)

"""``anbiao serve``, ``anbiao db …`` and ``anbiao users create`` (added by ``anbiao.api.commands``).

Heavy imports (Litestar, SQLAlchemy) happen inside the commands, so the rest of the command
line starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from advanced_alchemy.alembic.commands import AlembicCommands

ROLES = ("enterprise", "reviewer", "admin")


def _alembic() -> AlembicCommands:
    from advanced_alchemy.alembic.commands import AlembicCommands

    from anbiao.api.kernel.db import db_config
    from anbiao.api.kernel.settings import get_settings

    return AlembicCommands(sqlalchemy_config=db_config(get_settings()))


@click.group()
def db() -> None:
    """Database migrations (Alembic; ANBIAO_DATABASE_URL)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate up to REVISION (default: the latest)."""
    _alembic().upgrade(revision=revision)


@db.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Migrate down to REVISION (default: one step)."""
    _alembic().downgrade(revision=revision)


@db.command()
def current() -> None:
    """Show the database's current revision."""
    _alembic().current(verbose=True)


@click.group()
def users() -> None:
    """Accounts of reviewers and the authority."""


@users.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--region", default="", help="Admin: region code prefix governed; reviewer: home.")
@click.option("--domains", default="", help="Reviewer: comma-separated industries / hazards.")
@click.option("--employer", default="", help="Reviewer: employer (for conflicts of interest).")
@click.option("--enterprise-uscc", default="", help="Enterprise user: the enterprise's USCC.")
def create_user(
    role: str,
    email: str,
    name: str,
    password: str,
    region: str,
    domains: str,
    employer: str,
    enterprise_uscc: str,
) -> None:
    """Create an account (passwords are stored as argon2 hashes)."""
    import asyncio

    from anbiao.api.seed import create_account

    user_id = asyncio.run(
        create_account(
            role=role,
            email=email,
            name=name,
            password=password,
            region=region,
            domains=[d.strip() for d in domains.split(",") if d.strip()],
            employer=employer,
            enterprise_uscc=enterprise_uscc,
        )
    )
    click.echo(f"created {role} {email} ({user_id})")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Seed a demo region, enterprise, admin and reviewers.")
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Migrate the database first. Hosts behind PgBouncer: --no-migrate, and "
    "`anbiao db upgrade` once per release (docs/deployment.md).",
)
def serve(host: str, port: int, workers: int, demo: bool, migrate: bool) -> None:
    """Run the API (Uvicorn); migrates the database first (ANBIAO_DATABASE_URL)."""
    import asyncio
    import os

    import uvicorn

    from anbiao.api.kernel.settings import get_settings
    from anbiao.api.seed import seed_demo

    settings = get_settings()
    if workers > 1 and "ANBIAO_SECRET_KEY" not in os.environ:
        os.environ["ANBIAO_SECRET_KEY"] = settings.secret_key  # one key for every worker
    if migrate:  # several hosts starting at once take turns (migrations/env.py)
        _alembic().upgrade(revision="head")
    if demo:
        for line in asyncio.run(seed_demo()):
            click.echo(line)
    click.echo(
        f"anbiao on http://{host}:{port}/  (pages: /, API docs: /schema/swagger, database: "
        f"{settings.database_url})"
    )
    uvicorn.run(
        "anbiao.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@click.group()
def messages() -> None:
    """The coded messages of the engine and the service."""


@messages.command("docs")
@click.option("--check", is_flag=True, help="Exit 1 if the list in docs/api.md is out of date.")
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path),
    default=Path("docs/api.md"),
    show_default=True,
)
def messages_docs(check: bool, path: Path) -> None:
    """Regenerate the list of message codes (中文, English) in docs/api.md."""
    from anbiao.api.kernel.i18n import CODES_BEGIN, CODES_END, codes_table
    from anbiao.core.render import replace_block

    current = path.read_text(encoding="utf-8")
    updated = replace_block(current, CODES_BEGIN, CODES_END, codes_table())
    if check:
        if updated != current:
            click.echo(f"{path} is out of date: run `anbiao messages docs`", err=True)
            raise click.exceptions.Exit(1)
        click.echo(f"{path} is current")
    elif updated != current:
        path.write_text(updated, encoding="utf-8")
        click.echo(f"updated {path}")

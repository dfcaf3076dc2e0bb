"""The Alembic migrations build exactly the schema of the models, and go back down cleanly."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from advanced_alchemy.alembic.commands import AlembicCommands
from sqlalchemy.ext.asyncio import create_async_engine

from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.models import Evidence
from anbiao.api.kernel.settings import Settings


def test_migrations_match_the_models_and_downgrade(database_url):
    commands = AlembicCommands(sqlalchemy_config=db_config(Settings(database_url=database_url)))
    commands.upgrade("head")
    commands.check()  # raises when autogenerate finds a difference between models and database
    commands.downgrade("base")
    commands.upgrade("head")  # and up again from nothing


def test_migration_chain_upgrades_and_downgrades(tmp_path):
    path = tmp_path / "migrated.sqlite3"
    commands = AlembicCommands(
        sqlalchemy_config=db_config(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
    )
    sync = sa.create_engine(f"sqlite:///{path}")

    def tables() -> set[str]:
        return set(sa.inspect(sync).get_table_names())

    def revision() -> str | None:
        with sync.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_versions")).scalar()

    try:
        commands.upgrade("2026_11_29_0002")
        assert "evidence" in tables() and revision() == "2026_11_29_0002"
        columns = {c["name"] for c in sa.inspect(sync).get_columns("evidence")}
        assert columns == set(Evidence.__table__.columns.keys())
        indexes = {i["name"] for i in sa.inspect(sync).get_indexes("evidence")}
        assert {"ix_evidence_assessment_id", "ix_evidence_storage_key"} <= indexes
        commands.downgrade("2026_11_29_0001")
        assert "evidence" not in tables() and "assessment" in tables()
        assert revision() == "2026_11_29_0001"
        commands.downgrade("base")
        assert tables() <= {"alembic_versions"}
        commands.upgrade("head")
        assert "evidence" in tables()
    finally:
        sync.dispose()


def test_answer_documents_are_compressed_with_lz4_on_postgresql(database_url):
    """Migration 0008: PostgreSQL compresses the answer and audit documents with lz4 (faster
    than pglz on every save); a downgrade restores pglz."""
    if not database_url.startswith("postgresql"):
        pytest.skip("lz4 is a PostgreSQL column setting: checked in the PostgreSQL rerun")
    commands = AlembicCommands(sqlalchemy_config=db_config(Settings(database_url=database_url)))
    query = sa.text(
        "SELECT attrelid::regclass::text || '.' || attname, attcompression::text"
        " FROM pg_attribute"
        " WHERE attname IN ('answers', 'before', 'after') AND attrelid::regclass::text"
        " IN ('assessment', 'application', 'assignment', 'event')"
    )

    def compression() -> dict[str, str]:
        async def read() -> dict[str, str]:
            engine = create_async_engine(database_url)
            try:
                async with engine.connect() as conn:
                    return dict((await conn.execute(query)).all())
            finally:
                await engine.dispose()

        return asyncio.run(read())

    try:
        commands.upgrade("head")
        assert compression() == {
            "assessment.answers": "l",
            "application.answers": "l",
            "assignment.answers": "l",
            "event.before": "l",
            "event.after": "l",
        }
        commands.downgrade("2026_12_05_0007")
        assert set(compression().values()) == {"p"}
    finally:
        commands.upgrade("head")

"""The Alembic migrations build exactly the schema of the models, and go back down cleanly."""

from __future__ import annotations

from advanced_alchemy.alembic.commands import AlembicCommands

from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.settings import Settings


def test_migrations_match_the_models_and_downgrade(database_url):
    commands = AlembicCommands(sqlalchemy_config=db_config(Settings(database_url=database_url)))
    commands.upgrade("head")
    commands.check()  # raises when autogenerate finds a difference between models and database
    commands.downgrade("base")
    commands.upgrade("head")  # and up again from nothing

"""hazard state unindexed: an answer save moves hazards in place (PostgreSQL HOT updates)

A save moves the hazards of the items it changed between open, rectifying and submitted. With
``state`` indexed every such move writes a new entry into each of the table's indexes; without
it PostgreSQL updates the row in place (a HOT update) when the page has room. Measured on
PostgreSQL 15 (50 hazards moved per statement, 12,000 rows): 0.81 → 0.34–0.40 ms of backend CPU
per move, 0 % → 78–81 % HOT updates. No query needs the index: hazards are found by enterprise
or application (indexed), their state is filtered mostly as ``!= 'closed'``, which a B-tree on
five values does not serve.

Revision ID: 2026_12_05_0007
Revises: 2026_12_05_0006
Create Date: 2026-12-05 18:00:00

"""

from alembic import op

__all__ = ("downgrade", "upgrade")

# revision identifiers, used by Alembic.
revision = "2026_12_05_0007"
down_revision = "2026_12_05_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_state"))


def downgrade() -> None:
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_state"), ["state"], unique=False)

"""action plan: a hazard's resources (所需资源/资金) and its version for optimistic concurrency

Existing hazards need nothing (empty resources) and start at version 1.

Revision ID: 2026_12_05_0005
Revises: 2026_11_29_0004
Create Date: 2026-12-05 15:10:00

"""

import sqlalchemy as sa
from alembic import op

__all__ = ("downgrade", "upgrade")

# revision identifiers, used by Alembic.
revision = "2026_12_05_0005"
down_revision = "2026_11_29_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resources", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("resources")

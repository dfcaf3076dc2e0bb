"""lookup indexes: an application by its assessment, hazards and a certificate by application

Every answer save looks up the assessment's applications; concluding a review and a reviewer's
hazard list look up hazards by application; a certificate is found by its application. Without
these indexes each lookup scans its table: the 4,288-enterprise surge spent 90 s of PostgreSQL
CPU in the review phase (6.8 s at 1,000 enterprises).

Revision ID: 2026_11_29_0004
Revises: 2026_11_29_0003
Create Date: 2026-11-29 23:50:00

"""

from alembic import op

__all__ = ("downgrade", "upgrade")

# revision identifiers, used by Alembic.
revision = "2026_11_29_0004"
down_revision = "2026_11_29_0003"
branch_labels = None
depends_on = None

INDEXES = (
    ("application", "ix_application_assessment_id", "assessment_id"),
    ("hazard", "ix_hazard_application_id", "application_id"),
    ("certificate", "ix_certificate_application_id", "application_id"),
)


def upgrade() -> None:
    for table, name, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, [column], unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)

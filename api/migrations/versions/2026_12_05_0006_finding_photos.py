"""finding photos: photos a reviewer attaches to a finding on site

Revision ID: 2026_12_05_0006
Revises: 2026_12_05_0005
Create Date: 2026-12-05 15:20:00

"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

__all__ = ("downgrade", "upgrade")

# revision identifiers, used by Alembic.
revision = "2026_12_05_0006"
down_revision = "2026_12_05_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_photo",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("finding_id", GUID(length=16), nullable=False),
        sa.Column("application_id", GUID(length=16), nullable=False),
        sa.Column("enterprise_id", GUID(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_finding_photo_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_finding_photo_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_finding_photo_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["user_account.id"],
            name=op.f("fk_finding_photo_uploaded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_photo")),
    )
    with op.batch_alter_table("finding_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_photo_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_finding_photo_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_finding_photo_storage_key"), ["storage_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("finding_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_photo_storage_key"))
        batch_op.drop_index(batch_op.f("ix_finding_photo_application_id"))
        batch_op.drop_index(batch_op.f("ix_finding_photo_finding_id"))
    op.drop_table("finding_photo")

"""Check-in: when and by whom each registration was checked in, and per-meeting helpers.

Revision ID: c5e7a9b1d3f5
Revises: b1d3f5a7c9e1
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e7a9b1d3f5"
down_revision = "b1d3f5a7c9e1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("checked_in_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_registrations_checked_in_by_id_users"),
            "users",
            ["checked_in_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "checkin_helpers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_checkin_helpers_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_checkin_helpers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_helpers")),
        sa.UniqueConstraint("meeting_id", "user_id", name=op.f("uq_checkin_helpers_meeting_id")),
    )
    op.create_index(op.f("ix_checkin_helpers_meeting_id"), "checkin_helpers", ["meeting_id"])
    op.create_index(op.f("ix_checkin_helpers_user_id"), "checkin_helpers", ["user_id"])


def downgrade():
    op.drop_table("checkin_helpers")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_constraint("fk_registrations_checked_in_by_id_users", type_="foreignkey")
        batch.drop_column("checked_in_by_id")
        batch.drop_column("checked_in_at")

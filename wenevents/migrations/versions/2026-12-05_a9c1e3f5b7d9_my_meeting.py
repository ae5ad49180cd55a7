"""My meeting: follows, private calendar feeds, and the opt-out of change notices.

Revision ID: a9c1e3f5b7d9
Revises: f7b9d1e3a5c7
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "a9c1e3f5b7d9"
down_revision = "f7b9d1e3a5c7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("change_notices", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('session', 'network')", name=op.f("ck_follows_kind_known")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_follows_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint(
            "user_id",
            "meeting_id",
            "kind",
            "key",
            name=op.f("uq_follows_user_id"),
        ),
    )
    op.create_index(op.f("ix_follows_meeting_id"), "follows", ["meeting_id"])
    op.create_index(op.f("ix_follows_user_id"), "follows", ["user_id"])
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_calendar_feeds_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", "meeting_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_index(op.f("ix_calendar_feeds_user_id"), "calendar_feeds", ["user_id"])


def downgrade():
    op.drop_table("calendar_feeds")
    op.drop_table("follows")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("change_notices")

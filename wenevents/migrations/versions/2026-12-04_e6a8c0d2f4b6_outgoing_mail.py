"""Outgoing mail: the queue the worker delivers, and each attempt.

Revision ID: e6a8c0d2f4b6
Revises: c3e5a7b9d1f2
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "e6a8c0d2f4b6"
down_revision = "c3e5a7b9d1f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outgoing_mail_message_id")),
    )
    with op.batch_alter_table("outgoing_mail") as batch:
        batch.create_index("ix_outgoing_mail_due", ["status", "next_attempt_at"])
        batch.create_index(batch.f("ix_outgoing_mail_recipient"), ["recipient"])
        batch.create_index(batch.f("ix_outgoing_mail_created_at"), ["created_at"])
    op.create_table(
        "mail_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["mail_id"],
            ["outgoing_mail.id"],
            name=op.f("fk_mail_attempts_mail_id_outgoing_mail"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attempts")),
    )
    with op.batch_alter_table("mail_attempts") as batch:
        batch.create_index(batch.f("ix_mail_attempts_mail_id"), ["mail_id"])


def downgrade():
    op.drop_table("mail_attempts")
    op.drop_table("outgoing_mail")

"""Invitation letters: requests (passport details sealed), letters issued, letter texts.

Revision ID: d7f9b1c3e5a7
Revises: c5e7a9b1d3f5
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "d7f9b1c3e5a7"
down_revision = "c5e7a9b1d3f5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'correction', 'approved')",
            name=op.f("ck_letter_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_letter_requests_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_letter_requests_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_requests")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_letter_requests_registration_id")),
    )
    op.create_index(op.f("ix_letter_requests_meeting_id"), "letter_requests", ["meeting_id"])
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "status IN ('valid', 'revoked', 'superseded')", name=op.f("ck_letters_status_known")
        ),
        sa.CheckConstraint(
            "kind IN ('invitation', 'certificate')", name=op.f("ck_letters_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_letters_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_letters_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_letters_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["letter_requests.id"],
            name=op.f("fk_letters_request_id_letter_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("code", name=op.f("uq_letters_code")),
        sa.UniqueConstraint("meeting_id", "kind", "number", name=op.f("uq_letters_meeting_id")),
    )
    op.create_index(op.f("ix_letters_request_id"), "letters", ["request_id"])
    op.create_index(op.f("ix_letters_registration_id"), "letters", ["registration_id"])
    op.create_table(
        "letter_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_letter_texts_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_texts")),
        sa.UniqueConstraint("meeting_id", "language", name=op.f("uq_letter_texts_meeting_id")),
    )


def downgrade():
    op.drop_table("letter_texts")
    op.drop_table("letters")
    op.drop_table("letter_requests")

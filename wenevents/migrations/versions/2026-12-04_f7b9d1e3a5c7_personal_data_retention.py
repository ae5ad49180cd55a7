"""personal data, only as long as needed: each meeting's retention and privacy notice, and
the anonymous counts kept when its registrations' personal data is removed

Revision ID: f7b9d1e3a5c7
Revises: e6a8c0d2f4b6
Create Date: 2026-12-04 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f7b9d1e3a5c7"
down_revision = "e6a8c0d2f4b6"
branch_labels = None
depends_on = None

STATUSES = (
    "unconfirmed", "submitted", "endorsed", "declined", "approved", "rejected", "waitlisted",
    "withdrawn",
)  # fmt: skip


def upgrade():
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(
            sa.Column("retention_months", sa.Integer(), nullable=False, server_default="12")
        )
        batch.add_column(sa.Column("personal_data_removed_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("privacy_notice", sa.String(), nullable=False, server_default="")
        )
        # No check constraint: adding one would rebuild the table on SQLite, and dropping
        # the old one there deletes every row that refers to a meeting (ON DELETE CASCADE).
        # The form and meetings/services.py keep it within bounds.
    # The demo's registrations are invented and its meeting long over: they stay for
    # whoever tries the demo (a new demo gets the same, wenevents/demo/__init__.py).
    op.execute("UPDATE meetings SET retention_months = 120 WHERE is_demo")
    op.create_table(
        "registration_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('" + "', '".join(STATUSES) + "')",
            name=op.f("ck_registration_tallies_status_known"),
        ),
        sa.CheckConstraint("count > 0", name=op.f("ck_registration_tallies_count_positive")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_registration_tallies_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_registration_tallies_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_tallies")),
    )
    with op.batch_alter_table("registration_tallies") as batch:
        batch.create_index(batch.f("ix_registration_tallies_meeting_id"), ["meeting_id"])
        batch.create_index(batch.f("ix_registration_tallies_network_id"), ["network_id"])


def downgrade():
    op.drop_table("registration_tallies")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("privacy_notice")
        batch.drop_column("personal_data_removed_at")
        batch.drop_column("retention_months")

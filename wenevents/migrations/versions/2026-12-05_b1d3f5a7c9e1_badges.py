"""Badges: when each registration's badge was last printed.

Revision ID: b1d3f5a7c9e1
Revises: a9c1e3f5b7d9
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "b1d3f5a7c9e1"
down_revision = "a9c1e3f5b7d9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("badge_printed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("badge_printed_at")

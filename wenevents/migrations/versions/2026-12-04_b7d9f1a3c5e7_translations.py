"""content in French and Spanish; each account's language

Revision ID: b7d9f1a3c5e7
Revises: a2c4e6f8b0d1
Create Date: 2026-12-04 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d9f1a3c5e7"
down_revision = "a2c4e6f8b0d1"
branch_labels = None
depends_on = None

TRANSLATED_TABLES = (
    "meeting_series",
    "meetings",
    "sessions",
    "agenda_items",
    "networks",
    "documents",
    "registration_questions",
)


def upgrade():
    for table in TRANSLATED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
            )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
    for table in TRANSLATED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")

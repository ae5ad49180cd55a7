"""meetings: the languages a meeting's materials are expected in (English by default)

Revision ID: 3c5d7e9f1a2b
Revises: 7f0e1d2c3b4a
Create Date: 2026-12-03 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3c5d7e9f1a2b"
down_revision = "7f0e1d2c3b4a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(
            sa.Column("materials_languages", sa.String(20), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("materials_languages")

"""The public version: one row, counting writes the public may see (pagecache.py).

Revision ID: c3e5a7b9d1f2
Revises: b7d9f1a3c5e7
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e5a7b9d1f2"
down_revision = "b7d9f1a3c5e7"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "public_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_version")),
    )
    op.bulk_insert(table, [{"id": 1, "number": 0}])


def downgrade():
    op.drop_table("public_version")

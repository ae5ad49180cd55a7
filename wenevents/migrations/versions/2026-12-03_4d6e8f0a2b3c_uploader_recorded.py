"""materials: whether an account sent each version (a removed account, or none recorded)

Revision ID: 4d6e8f0a2b3c
Revises: 3c5d7e9f1a2b
Create Date: 2026-12-03 17:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4d6e8f0a2b3c"
down_revision = "3c5d7e9f1a2b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(
            sa.Column("uploader_recorded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Versions naming an account were sent by it; the others cannot be told apart any more
    # and read "Sender not recorded".
    op.execute(
        "UPDATE document_versions SET uploader_recorded = true WHERE uploaded_by_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("uploader_recorded")

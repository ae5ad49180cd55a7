"""materials: file versions, access levels, embargo, the meeting's upload deadline

Revision ID: 6a1b2c3d4e5f
Revises: 5e0c2b7a9f14
Create Date: 2026-11-29 04:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "6a1b2c3d4e5f"
down_revision = "5e0c2b7a9f14"
branch_labels = None
depends_on = None

OLD_KINDS = "('report', 'agenda', 'press_release', 'information_sheet', 'slides', 'other')"
NEW_KINDS = (
    "('report', 'agenda', 'press_release', 'participants_list', 'information_sheet', "
    "'slides', 'other')"
)


def upgrade():
    with op.batch_alter_table("documents") as batch:
        batch.add_column(
            sa.Column("access", sa.String(20), nullable=False, server_default="public")
        )
        batch.add_column(
            sa.Column("embargoed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.func.now())
        )
        batch.drop_constraint(op.f("ck_documents_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_documents_kind_known"), f"kind IN {NEW_KINDS}")
        batch.create_check_constraint(
            op.f("ck_documents_access_known"),
            "access IN ('public', 'participants', 'organisers')",
        )
    op.add_column("meetings", sa.Column("materials_deadline", sa.DateTime(), nullable=True))
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(80), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("mimetype", sa.String(120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_versions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_document_versions_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_document_versions_document_id")),
    )
    op.create_index(op.f("ix_document_versions_document_id"), "document_versions", ["document_id"])
    op.create_index(op.f("ix_document_versions_stored_name"), "document_versions", ["stored_name"])


def downgrade():
    op.drop_index(op.f("ix_document_versions_stored_name"), table_name="document_versions")
    op.drop_index(op.f("ix_document_versions_document_id"), table_name="document_versions")
    op.drop_table("document_versions")
    op.drop_column("meetings", "materials_deadline")
    op.execute("DELETE FROM documents WHERE kind = 'participants_list'")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("ck_documents_access_known"), type_="check")
        batch.drop_constraint(op.f("ck_documents_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_documents_kind_known"), f"kind IN {OLD_KINDS}")
        batch.drop_column("created_at")
        batch.drop_column("embargoed")
        batch.drop_column("access")

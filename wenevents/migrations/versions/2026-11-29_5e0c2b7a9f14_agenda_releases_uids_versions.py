"""agenda: releases, stable uids, edit versions; slides linked to presentations

Revision ID: 5e0c2b7a9f14
Revises: d41f7a0c2e91
Create Date: 2026-11-29 04:40:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "5e0c2b7a9f14"
down_revision = "d41f7a0c2e91"
branch_labels = None
depends_on = None

OLD_KINDS = "('report', 'agenda', 'press_release', 'information_sheet', 'other')"
NEW_KINDS = "('report', 'agenda', 'press_release', 'information_sheet', 'slides', 'other')"


def _add_uid_and_version(table):
    op.add_column(table, sa.Column("uid", sa.String(36), nullable=True))
    op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    # Existing rows get their uid here, one by one: a UUID must not be computed in SQL,
    # which SQLite and PostgreSQL spell differently.
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column("uid", sa.String))
    connection = op.get_bind()
    for (row_id,) in connection.execute(sa.select(rows.c.id)).all():
        connection.execute(rows.update().where(rows.c.id == row_id).values(uid=str(uuid.uuid4())))
    with op.batch_alter_table(table) as batch:
        batch.alter_column("uid", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint(op.f(f"uq_{table}_uid"), ["uid"])


def upgrade():
    _add_uid_and_version("sessions")
    _add_uid_and_version("agenda_items")
    op.create_table(
        "agenda_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_releases_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_agenda_releases_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_releases")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_agenda_releases_meeting_id")),
    )
    op.create_index(
        op.f("ix_agenda_releases_meeting_id"), "agenda_releases", ["meeting_id"], unique=False
    )
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("agenda_item_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_documents_agenda_item_id_agenda_items"),
            "agenda_items",
            ["agenda_item_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_documents_agenda_item_id"), ["agenda_item_id"])
        batch.drop_constraint(op.f("ck_documents_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_documents_kind_known"), f"kind IN {NEW_KINDS}")


def downgrade():
    op.execute("DELETE FROM documents WHERE kind = 'slides'")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("ck_documents_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_documents_kind_known"), f"kind IN {OLD_KINDS}")
        batch.drop_index(op.f("ix_documents_agenda_item_id"))
        batch.drop_constraint(op.f("fk_documents_agenda_item_id_agenda_items"), type_="foreignkey")
        batch.drop_column("agenda_item_id")
    op.drop_index(op.f("ix_agenda_releases_meeting_id"), table_name="agenda_releases")
    op.drop_table("agenda_releases")
    for table in ("agenda_items", "sessions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"uq_{table}_uid"), type_="unique")
            batch.drop_column("version")
            batch.drop_column("uid")

"""agenda: a stable public ref per session, for its URLs

Revision ID: a2c4e6f8b0d1
Revises: 4d6e8f0a2b3c
Create Date: 2026-12-03 17:00:00

Existing sessions get a random ref; every stored release gets the ref of each of its
sessions written into its snapshot (a session deleted since gets one of its own), so the
published addresses exist from the first request after the upgrade.
"""

import json
import secrets

import sqlalchemy as sa
from alembic import op

revision = "a2c4e6f8b0d1"
down_revision = "4d6e8f0a2b3c"
branch_labels = None
depends_on = None

LETTERS = "abcdefghjkmnpqrstuvwxyz"
ALPHABET = LETTERS + "23456789"


def _new_ref(taken):
    while True:
        ref = secrets.choice(LETTERS) + "".join(secrets.choice(ALPHABET) for _ in range(7))
        if ref not in taken:
            taken.add(ref)
            return ref


def upgrade():
    op.add_column("sessions", sa.Column("ref", sa.String(8), nullable=True))
    connection = op.get_bind()
    sessions = sa.table(
        "sessions",
        sa.column("id", sa.Integer),
        sa.column("uid", sa.String),
        sa.column("meeting_id", sa.Integer),
        sa.column("ref", sa.String),
    )
    refs = {}  # uid → ref
    taken = {}  # meeting_id → refs
    rows = connection.execute(sa.select(sessions.c.id, sessions.c.uid, sessions.c.meeting_id))
    for row_id, uid, meeting_id in rows.all():
        ref = _new_ref(taken.setdefault(meeting_id, set()))
        refs[uid] = ref
        connection.execute(sessions.update().where(sessions.c.id == row_id).values(ref=ref))
    releases = sa.table(
        "agenda_releases",
        sa.column("id", sa.Integer),
        sa.column("meeting_id", sa.Integer),
        sa.column("snapshot", sa.JSON),
    )
    query = sa.select(releases.c.id, releases.c.meeting_id, releases.c.snapshot).order_by(
        releases.c.id
    )
    for row_id, meeting_id, snapshot in connection.execute(query).all():
        if isinstance(snapshot, str):
            snapshot = json.loads(snapshot)
        for entry in snapshot.get("sessions", []):
            uid = entry["uid"]
            if uid not in refs:
                refs[uid] = _new_ref(taken.setdefault(meeting_id, set()))
            entry["ref"] = refs[uid]
        connection.execute(
            releases.update().where(releases.c.id == row_id).values(snapshot=snapshot)
        )
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("ref", existing_type=sa.String(8), nullable=False)
        batch.create_unique_constraint(op.f("uq_sessions_meeting_id_ref"), ["meeting_id", "ref"])


def downgrade():
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(op.f("uq_sessions_meeting_id_ref"), type_="unique")
        batch.drop_column("ref")

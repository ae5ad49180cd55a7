"""registration: file questions (a nomination letter, say)

Revision ID: d41f7a0c2e91
Revises: cb8d2ddba90f
Create Date: 2026-11-29 03:20:00

"""

from alembic import op

revision = "d41f7a0c2e91"
down_revision = "cb8d2ddba90f"
branch_labels = None
depends_on = None

OLD = "('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'date')"
NEW = "('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'date', 'file')"


def _kinds(allowed):
    # Batch mode: SQLite cannot alter a constraint in place, so the table is copied.
    with op.batch_alter_table("registration_questions") as batch:
        # op.f: the names are final (the naming convention must not wrap them again).
        name = op.f("ck_registration_questions_kind_known")
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, f"kind IN {allowed}")


def upgrade():
    _kinds(NEW)


def downgrade():
    op.execute("DELETE FROM registration_questions WHERE kind = 'file'")
    _kinds(OLD)

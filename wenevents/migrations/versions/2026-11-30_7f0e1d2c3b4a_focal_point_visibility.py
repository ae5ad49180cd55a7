"""focal points: who may see each contact field; an index on the email address

Revision ID: 7f0e1d2c3b4a
Revises: 6a1b2c3d4e5f
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7f0e1d2c3b4a"
down_revision = "6a1b2c3d4e5f"
branch_labels = None
depends_on = None

# (field, default for the rows already stored); email and phone are never public.
FIELDS = [
    ("name", "participants"),
    ("title", "participants"),
    ("agency", "participants"),
    ("country_code", "participants"),
    ("email", "participants"),
    ("phone", "organisers"),
]
NEVER_PUBLIC = ("email", "phone")


def upgrade():
    with op.batch_alter_table("focal_points") as batch:
        for field, default in FIELDS:
            batch.add_column(
                sa.Column(
                    f"{field}_visibility", sa.String(20), nullable=False, server_default=default
                )
            )
        for field, _default in FIELDS:
            if field in NEVER_PUBLIC:
                batch.create_check_constraint(
                    op.f(f"ck_focal_points_{field}_not_public"),
                    f"{field}_visibility IN ('participants', 'organisers')",
                )
            else:
                batch.create_check_constraint(
                    op.f(f"ck_focal_points_{field}_visibility_known"),
                    f"{field}_visibility IN ('public', 'participants', 'organisers')",
                )
        batch.create_index(op.f("ix_focal_points_email"), ["email"])
    # The import matches addresses exactly: store the ones already there lower-case.
    op.execute("UPDATE focal_points SET email = LOWER(TRIM(email))")


def downgrade():
    with op.batch_alter_table("focal_points") as batch:
        batch.drop_index(op.f("ix_focal_points_email"))
        for field, _default in reversed(FIELDS):
            if field in NEVER_PUBLIC:
                batch.drop_constraint(op.f(f"ck_focal_points_{field}_not_public"), type_="check")
            else:
                batch.drop_constraint(
                    op.f(f"ck_focal_points_{field}_visibility_known"), type_="check"
                )
            batch.drop_column(f"{field}_visibility")

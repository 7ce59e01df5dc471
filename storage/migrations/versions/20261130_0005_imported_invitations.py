"""imported answers keep their case id and response reference without creating cases

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("import_case", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("import_ref", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("import_ref")
        batch.drop_column("import_case")

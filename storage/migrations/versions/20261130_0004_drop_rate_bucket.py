"""drop rate_bucket: the shared token bucket design was rejected (issue 17)

Workers keep one platform budget through the dispatcher's per-platform lease instead, so the
table was never written.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("rate_bucket")


def downgrade() -> None:
    op.create_table(
        "rate_bucket",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_bucket")),
    )

"""helpdesk hooks: deliveries for deduplication, customer phone, agent e-mail

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("helpdesk", sa.String(length=32), nullable=False),
        sa.Column("delivery_key", sa.String(length=200), nullable=False),
        sa.Column("case_external_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hook_delivery")),
        sa.UniqueConstraint(
            "helpdesk", "delivery_key", name=op.f("uq_hook_delivery_helpdesk_delivery_key")
        ),
    )
    with op.batch_alter_table("hook_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hook_delivery_received_at"), ["received_at"], unique=False
        )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("email")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("hook_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hook_delivery_received_at"))
    op.drop_table("hook_delivery")

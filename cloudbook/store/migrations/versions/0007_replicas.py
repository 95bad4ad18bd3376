"""service replicas and runtime descriptions

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("replicas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replicas_heartbeat_at"), ["heartbeat_at"])
    with op.batch_alter_table("runtimes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accelerator", sa.String(length=8), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("gpu_type", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("shape", sa.String(length=16), nullable=False, server_default="standard")
        )


def downgrade() -> None:
    with op.batch_alter_table("runtimes", schema=None) as batch_op:
        batch_op.drop_column("shape")
        batch_op.drop_column("gpu_type")
        batch_op.drop_column("accelerator")
    with op.batch_alter_table("replicas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replicas_heartbeat_at"))
    op.drop_table("replicas")

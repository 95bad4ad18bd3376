"""team sign-in: disabled users, OpenID Connect subjects, quotas, runtime usage

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=600), nullable=True))
        batch_op.add_column(sa.Column("quota_drive_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("quota_runtimes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quota_gpu_hours", sa.Float(), nullable=True))
        batch_op.create_unique_constraint("uq_users_oidc_subject", ["oidc_subject"])
    op.create_table(
        "runtime_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("runtime_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("gpus", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("runtime_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runtime_usage_runtime_id"), ["runtime_id"])
        batch_op.create_index(batch_op.f("ix_runtime_usage_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("runtime_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runtime_usage_user_id"))
        batch_op.drop_index(batch_op.f("ix_runtime_usage_runtime_id"))
    op.drop_table("runtime_usage")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_oidc_subject", type_="unique")
        for column in (
            "quota_gpu_hours",
            "quota_runtimes",
            "quota_drive_bytes",
            "oidc_subject",
            "email",
            "disabled",
        ):
            batch_op.drop_column(column)

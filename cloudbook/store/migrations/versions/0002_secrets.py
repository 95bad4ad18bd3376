"""secrets and per-notebook grants

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name"),
    )
    with op.batch_alter_table("secrets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_secrets_user_id"), ["user_id"], unique=False)
    op.create_table(
        "secret_grants",
        sa.Column("secret_id", sa.Integer(), nullable=False),
        sa.Column("notebook_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["secret_id"], ["secrets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notebook_id"], ["notebooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("secret_id", "notebook_id"),
    )
    with op.batch_alter_table("secret_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_secret_grants_notebook_id"), ["notebook_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("secret_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secret_grants_notebook_id"))
    op.drop_table("secret_grants")
    with op.batch_alter_table("secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secrets_user_id"))
    op.drop_table("secrets")

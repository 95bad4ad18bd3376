"""drive home: opened/inode/trash columns on notebooks, trash items

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notebooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("file_inode", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("trash_item_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_notebooks_trash_item_id"), ["trash_item_id"], unique=False
        )
    op.create_table(
        "trash_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("original_path", sa.String(length=1024), nullable=False),
        sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trash_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trash_items_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trash_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trash_items_owner_id"))
    op.drop_table("trash_items")
    with op.batch_alter_table("notebooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notebooks_trash_item_id"))
        batch_op.drop_column("trash_item_id")
        batch_op.drop_column("file_inode")
        batch_op.drop_column("opened_at")

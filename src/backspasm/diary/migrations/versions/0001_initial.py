"""Accounts, sign-in attempts, episodes, check-ins, the activity log and documents.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(320), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("onset_at", sa.DateTime, nullable=False),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("assessment", sa.JSON, nullable=False),
        sa.Column("reading", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("urgency", sa.String(20), nullable=False),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("tried", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("urgency", sa.String(20), nullable=False),
        sa.Column("escalated", sa.Boolean, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )
    op.create_table(
        "activity_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id", ondelete="CASCADE"), nullable=True, index=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("code", sa.String(100), nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "key", name="uq_documents_user_key"),
    )


def downgrade() -> None:
    for table in ("documents", "activity_log", "checkins", "episodes", "login_attempts", "users"):
        op.drop_table(table)

"""Findings that come and go, clinician visits, and the zone each time was entered in.

Check-ins gain `gone` (codes reported gone) and `zone`; episodes gain `zone` and
`course` (the folded state after the latest entry, rebuilt by the store when NULL,
so existing episodes need no data migration); `visits` records that a clinician
has seen the person.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("gone", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("zone", sa.String(64), nullable=True))
        batch.create_index("ix_checkins_episode_at", ["episode_id", "at"])
    with op.batch_alter_table("episodes") as batch:
        batch.add_column(sa.Column("zone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("course", sa.JSON, nullable=True))
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("zone", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("visits")
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("course")
        batch.drop_column("zone")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_index("ix_checkins_episode_at")
        batch.drop_column("zone")
        batch.drop_column("gone")

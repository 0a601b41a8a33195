"""Server-side sessions, atomic sign-in limits, ids never reused, the local account marked, idempotent check-ins.

- `sessions`: a hash of each signed-in browser's random id, with its user and clocks.
- `sign_in_limits` replaces `login_attempts`: one row per key, updated under a lock.
- `users` is rebuilt with AUTOINCREMENT on SQLite (a deleted account's id is never
  reused) and gains `is_local`, set on the CLI's account only.
- `checkins.idempotency_key`, unique per user.
- `readiness`: the row /api/v1/readyz writes.

SQLite rebuilds `users` with foreign keys switched off by the caller (store's
migrate), so the rebuild never cascades into the diary. AUTOINCREMENT counts from
the highest id present at the upgrade: an id deleted before it left no trace to
count from, but every cookie issued before the upgrade is void with it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LOCAL_EMAIL = "local-user@backspasm.invalid"
LOCAL_PASSWORD_HASH = "!local"


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    with op.batch_alter_table("users", recreate="always" if sqlite else "auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("is_local", sa.Boolean, nullable=False, server_default=sa.false()))
    users = sa.table("users", sa.column("email", sa.String), sa.column("password_hash", sa.String),
                     sa.column("is_local", sa.Boolean))
    # Only the account the CLI itself made is local: never one that a browser registered with that email.
    op.execute(users.update()
               .where(users.c.email == LOCAL_EMAIL, users.c.password_hash == LOCAL_PASSWORD_HASH)
               .values(is_local=True))
    op.create_index("uq_users_one_local", "users", ["is_local"], unique=True,
                    sqlite_where=sa.text("is_local = 1"), postgresql_where=sa.text("is_local"))

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sign_in_limits",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", sa.DateTime, nullable=False),
        sa.Column("next_at", sa.DateTime, nullable=False, index=True),
    )
    op.drop_table("login_attempts")
    op.create_table(
        "readiness",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("checked_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(100), nullable=True))
    op.create_index("uq_checkins_user_idempotency", "checkins", ["user_id", "idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_checkins_user_idempotency", table_name="checkins")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("idempotency_key")
    op.drop_table("readiness")
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(320), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.drop_table("sign_in_limits")
    op.drop_table("sessions")
    op.drop_index("uq_users_one_local", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_local")

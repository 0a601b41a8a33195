"""Sign-in and registration limits kept in the database, so every worker applies the same ones.

Each attempt claims its place before the password is checked: the count and the
check happen under a lock on the key's row (SQLite's write lock, PostgreSQL's
SELECT ... FOR UPDATE), so a burst of concurrent guesses cannot all pass. An
attempt counts as a failure until it succeeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, update

from . import validation as v
from .database import Part, rowcount
from .models import sign_in_limits

MAX_KEY = 400


@dataclass(frozen=True, slots=True)
class Limit:
    """How one kind of key is limited.

    The first `free` failures cost nothing; from then on each attempt must wait
    `first_wait`, doubling up to `longest_wait`. After `quiet` without a failure
    the count starts again.
    """

    free: int
    first_wait: timedelta
    longest_wait: timedelta
    quiet: timedelta

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        doubled: timedelta = self.first_wait * (2 ** min(failures - self.free, 30))
        return min(doubled, self.longest_wait)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether this attempt may go ahead, and if not, in how many seconds to try again."""

    allowed: bool
    retry_after: int = 0


def _key(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_KEY:
        raise v.bad("key", f"must be a non-empty string of at most {MAX_KEY} characters")
    return v.plain_text(value, "key")


def _ensure_rows(c: Connection, keys: Sequence[str], at: datetime) -> None:
    """Create missing rows without racing another worker doing the same."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    rows = [{"key": k, "failures": 0, "last_at": at, "next_at": at} for k in keys]
    c.execute(upsert(sign_in_limits).values(rows).on_conflict_do_nothing(index_elements=[sign_in_limits.c.key]))


class SignInLimits(Part):
    """Claim an attempt against several keys at once; record success; forget."""

    def claim(self, limits: Sequence[tuple[str, Limit]], now: datetime | None = None) -> Verdict:
        """Count one more attempt against every key, unless one of them must wait first (then nothing is counted)."""
        given = v.aware(now, "now") if now is not None else None
        by_key = {_key(k): limit for k, limit in limits}
        keys = sorted(by_key)  # one order for every worker: no deadlock
        with self.db.write() as c:
            _ensure_rows(c, keys, given or v.now())
            rows = c.execute(
                select(sign_in_limits).where(sign_in_limits.c.key.in_(keys)).order_by(sign_in_limits.c.key).with_for_update()
            ).all()
            at = given or v.now()  # read under the lock, so claims are in clock order
            # Only a wait that was imposed counts (next_at beyond last_at): a sibling worker's clock a
            # few milliseconds ahead never refuses anyone.
            waits = [r.next_at - at for r in rows if r.next_at > r.last_at and at < r.next_at]
            if waits:
                return Verdict(False, max(1, math.ceil(max(waits).total_seconds())))
            for r in rows:
                limit = by_key[r.key]
                failures = (0 if at - r.last_at >= limit.quiet else r.failures) + 1
                c.execute(
                    update(sign_in_limits)
                    .where(sign_in_limits.c.key == r.key)
                    .values(failures=failures, last_at=at, next_at=at + limit.wait_after(failures))
                )
        return Verdict(True)

    def succeeded(self, limits: Sequence[tuple[str, Limit]], now: datetime | None = None) -> None:
        """The claimed attempt was right: it is not a failure after all, and the account's count starts again."""
        at = v.aware(now, "now", v.now())
        by_key = {_key(k): limit for k, limit in limits}
        with self.db.write() as c:
            rows = c.execute(
                select(sign_in_limits)
                .where(sign_in_limits.c.key.in_(sorted(by_key)))
                .order_by(sign_in_limits.c.key)
                .with_for_update()
            ).all()
            for r in rows:
                failures = 0 if r.key.startswith("email:") else max(0, r.failures - 1)
                next_at = min(r.next_at, r.last_at + by_key[r.key].wait_after(failures)) if failures else at
                c.execute(update(sign_in_limits).where(sign_in_limits.c.key == r.key)
                          .values(failures=failures, next_at=next_at))

    def failures(self, key: str) -> int:
        """Failures counted against `key` now (0 for a key never seen)."""
        with self.db.read() as c:
            n = c.scalar(select(sign_in_limits.c.failures).where(sign_in_limits.c.key == _key(key)))
            return int(n or 0)

    def prune_sign_in_limits(self, before: datetime) -> int:
        """Forget keys with no attempt since `before` whose wait is over."""
        when = v.aware(before, "before")
        with self.db.write() as c:
            old = (sign_in_limits.c.last_at < when) & (sign_in_limits.c.next_at < when)
            return rowcount(c.execute(delete(sign_in_limits).where(old)))

"""The one door to the database: a small facade over the parts that store accounts, episodes, activity and documents.

Every caller (CLI, web app, prevention, FHIR) goes through `Store`; there is no raw
SQL elsewhere. Every method validates its input and raises `BadInput` naming the
field, and every write is one transaction, so nothing is ever half-written. Each
part lives in the module named for what it stores (accounts, sessions, signin_limits,
episodes, checkins, activity, portability); the facade only wires them to one database.
"""

from __future__ import annotations

from typing import Any

from .accounts import LOCAL_EMAIL, LOCAL_PASSWORD_HASH, Accounts, User
from .activity import Activities, Activity, Documents
from .checkins import CheckIn, CheckinOutcome, CheckIns
from .database import HEAD_REVISION, Database, default_url, make_engine, migrate
from .episodes import Episode, Episodes
from .portability import EXPORT_FORMAT, EXPORT_VERSION, ImportPreview, export_user, import_user, preview_import
from .sessions import Sessions
from .signin_limits import Limit, SignInLimits, Verdict
from .status import Status, Statuses
from .validation import MAX_NOTE, TREATMENTS, parse_tried
from .visits import SEEN_ADVICE, SeenOutcome, Visit, Visits


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the database at `url` or the default location."""
    engine = make_engine(url or default_url())
    try:
        migrate(engine)
    except Exception:
        engine.dispose()
        raise
    return Store(Database(engine))


class Store:
    """Typed access to the diary database. Create with `open_store()`; call `close()` when done."""

    def __init__(self, db: Database):
        self.db = db
        self.engine = db.engine
        self.accounts = Accounts(db)
        self.episodes = Episodes(db)
        self.checkins = CheckIns(db)
        self.statuses = Statuses(db)
        self.visits = Visits(db)
        self.activities = Activities(db)
        self.documents = Documents(db)
        self.sessions = Sessions(db)
        self.limits = SignInLimits(db)
        # The verbs the shells call, each answered by the part that stores it.
        self.create_user = self.accounts.create_user
        self.get_user = self.accounts.get_user
        self.get_user_by_email = self.accounts.get_user_by_email
        self.set_password_hash = self.accounts.set_password_hash
        self.delete_user = self.accounts.delete_user
        self.local_user = self.accounts.local_user
        self.create_session = self.sessions.create_session
        self.session_user = self.sessions.session_user
        self.end_session = self.sessions.end_session
        self.end_user_sessions = self.sessions.end_user_sessions
        self.count_sessions = self.sessions.count_sessions
        self.change_password = self.sessions.change_password
        self.prune_sessions = self.sessions.prune_sessions
        self.claim_attempt = self.limits.claim
        self.attempt_succeeded = self.limits.succeeded
        self.limit_failures = self.limits.failures
        self.prune_sign_in_limits = self.limits.prune_sign_in_limits
        self.start_episode = self.episodes.start_episode
        self.list_episodes = self.episodes.list_episodes
        self.get_episode = self.episodes.get_episode
        self.current_episode = self.episodes.current_episode
        self.close_episode = self.episodes.close_episode
        self.add_checkin = self.checkins.add_checkin
        self.list_checkins = self.checkins.list_checkins
        self.checkin_result = self.checkins.checkin_result
        self.status = self.statuses.status
        self.record_seen = self.visits.record_seen
        self.list_visits = self.visits.list_visits
        self.log_activity = self.activities.log_activity
        self.list_activities = self.activities.list_activities
        self.put_document = self.documents.put_document
        self.get_document = self.documents.get_document
        self.list_documents = self.documents.list_documents
        self.delete_document = self.documents.delete_document
        self.integrity_ok = db.integrity_ok
        self.check_writable = db.check_writable

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything one user owns, as JSON-ready data (episodes with check-ins, activity, documents)."""
        return export_user(self.db, user_id)

    def import_user(self, user_id: int, data: Any) -> dict[str, int]:
        """Add an export to a user, all or nothing; episodes already present are skipped."""
        return import_user(self.db, user_id, data)

    def preview_import(self, user_id: int, data: Any) -> ImportPreview:
        """What importing `data` would add, checked whole; nothing is written."""
        return preview_import(self.db, user_id, data)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "HEAD_REVISION",
    "LOCAL_EMAIL",
    "LOCAL_PASSWORD_HASH",
    "MAX_NOTE",
    "SEEN_ADVICE",
    "TREATMENTS",
    "Activity",
    "CheckIn",
    "CheckinOutcome",
    "Episode",
    "ImportPreview",
    "Limit",
    "SeenOutcome",
    "Status",
    "Store",
    "User",
    "Verdict",
    "Visit",
    "open_store",
    "parse_tried",
]

"""The pain diary: episodes, check-ins and accounts, stored with SQLAlchemy.

`open_store()` is the one door to the database; store.py is the facade, and each
part lives in the module named for what it stores (accounts, episodes, checkins,
activity, portability).
"""

from __future__ import annotations

from .store import CheckIn, CheckinOutcome, Episode, Status, Store, User, open_store

__all__ = ["CheckIn", "CheckinOutcome", "Episode", "Status", "Store", "User", "open_store"]

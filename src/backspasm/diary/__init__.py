"""The pain diary: episodes, check-ins and accounts, stored with SQLAlchemy.

`open_store()` is the one door to the database; store.py is the facade, and each
part lives in the module named for what it stores (accounts, episodes, checkins,
visits, activity, portability). The names below load the facade on first use, so a
module of the diary (the quick reader of `backspasm status`) can be imported alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CheckIn", "CheckinOutcome", "Episode", "Status", "Store", "User", "open_store"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

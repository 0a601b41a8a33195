"""A child process for the reliability tests: writes check-ins and acknowledges each after commit.

Usage: python writer_proc.py URL EPISODE_ID COUNT TAG
Prints "ack <checkin id> <pain> <tag>" after each committed check-in (flushed), then "done".
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from backspasm.diary.store import open_store


def main() -> None:
    url, episode_id, count, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    store = open_store(url)
    user = store.local_user()
    ep = store.get_episode(user.id, episode_id)
    assert ep is not None
    print("ready", flush=True)
    for i in range(count):
        at = min(datetime.now(UTC), ep.started_at + timedelta(minutes=i + 1))
        out = store.add_checkin(user.id, episode_id, i % 11, at=at, note=f"{tag}-{i}")
        print(f"ack {out.checkin.id} {out.checkin.pain} {tag}-{i}", flush=True)
    print("done", flush=True)
    store.close()


if __name__ == "__main__":
    main()

"""What the diary commands share: reading times in the machine's zone, flags, the store and the episode to act on."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import bad_input, fail, read_source

if TYPE_CHECKING:
    from rich.console import Console

    from ..diary.store import Episode, Store

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: text (for people) or json (for scripts).")]
EpisodeOpt = Annotated[int | None, typer.Option("--episode", "-e", help="Episode id (default: the latest open episode).")]
JsonOpt = Annotated[str | None, typer.Option("--json", metavar="FILE", help="Read the input from FILE, '-' for stdin.")]
AtOpt = Annotated[
    str | None,
    typer.Option("--at", metavar="TIME", help="When, as ISO 8601 (default: now; without an offset: this machine's zone)."),
]
NowOpt = Annotated[str | None, typer.Option("--now", metavar="TIME", help="Evaluate as of TIME (ISO 8601).")]
EpisodeLocaleOpt = Annotated[
    str | None,
    typer.Option("--locale", metavar="TAG", help="Wording: en-US or en-GB (default: the one the episode was started in)."),
]

YES = {"yes", "y", "true", "1", "+", "helped"}
NO = {"no", "n", "false", "0", "-", "didnt", "didn't"}


@cache
def zone() -> str:
    """This machine's time zone (TZ, or the system setting): the CLI reads and writes times in it."""
    from ..clock import local_zone

    return local_zone()


@cache
def locale() -> str:
    """The locale the machine's language settings ask for (dates are written its way)."""
    from ..i18n import from_environment

    return from_environment()


def when(dt: datetime, loc: str | None = None) -> str:
    """A stored time as this machine's wall clock, in the locale's way (`loc`, else the machine's): 'Mon 23 Nov, 14:05'."""
    from ..clock import when as fmt

    return fmt(dt, zone(), loc or locale())


def day(dt: datetime, loc: str | None = None) -> str:
    from ..clock import day as fmt

    return fmt(dt, zone(), loc or locale())


def check_format(fmt: str) -> str:
    if fmt not in ("text", "json"):
        fail(f"bad input: --format must be text or json, got {fmt!r}")
    return fmt


def parse_time(value: str | None, name: str) -> datetime | None:
    """ISO 8601 to an aware datetime; a time without an offset is a wall-clock time in this machine's zone."""
    if value is None:
        return None
    from ..clock import parse_local, tz

    try:
        parsed = parse_local(value, zone())
        return parsed.astimezone(tz(zone()))
    except ValueError:
        fail(f"bad input:\n  {name}: {value!r} is not an ISO 8601 time (e.g. 2026-11-25T08:30)")
    except OverflowError:
        fail(f"bad input:\n  {name}: {value!r} is out of range")


def parse_tried_flag(value: str | None) -> dict[str, bool | None]:
    """'cold,nsaid' (helped unknown) or 'cold=yes,heat=no'."""
    out: dict[str, bool | None] = {}
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, answer = part.partition("=")
        helped: bool | None = None
        if sep:
            a = answer.strip().lower()
            if a in YES:
                helped = True
            elif a in NO:
                helped = False
            elif a not in ("", "?", "unknown"):
                fail(f"bad input:\n  tried.{code.strip()}: say yes or no after '=', got {answer!r}")
        out[code.strip().lower()] = helped
    return out


def codes(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def read_json_object(path: str) -> dict[str, Any]:
    from .. import jsonload
    from ..contract import BadInput

    raw = read_source(path)
    try:
        data = jsonload.loads(raw)
    except BadInput as e:
        bad_input(e)
    if not isinstance(data, dict):
        fail("bad input: expected a JSON object")
    return data


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def console(no_color: bool = False) -> Console:
    from rich.console import Console

    return Console(no_color=no_color, highlight=False)


def open_store() -> tuple[Store, int]:
    from ..diary.store import open_store as open_

    try:
        store = open_()
    except Exception as e:  # a database we cannot open is an environment problem, not bad input
        first = (str(e).strip().splitlines() or [""])[0][:300]
        fail(f"cannot open the diary database: {type(e).__name__}: {first}", code=1)
    return store, store.local_user().id


def pick_episode(store: Store, user_id: int, episode_id: int | None, open_only: bool = False) -> Episode:
    if episode_id is not None:
        ep = store.get_episode(user_id, episode_id)
        if ep is None:
            fail(f"bad input:\n  episode: no episode {episode_id}; `backspasm episodes` lists them")
        return ep
    ep = store.current_episode(user_id)
    if ep is None and not open_only:
        eps = store.list_episodes(user_id)
        ep = eps[0] if eps else None
    if ep is None:
        fail("bad input: no open episode; start one with `backspasm episode start`")
    return ep


def episode_status(
    episode_id: int | None, now: datetime | None, extra: Any = None, locale: str | None = None
) -> tuple[Any, Any, Any]:
    """The episode (the one given, or the current one), its status now (worded in `locale`, else the
    episode's own), and `extra(store, uid)` if given."""
    from ..contract import BadInput
    from .common import bad_input

    store, uid = open_store()
    try:
        ep = pick_episode(store, uid, episode_id)
        st = store.status(uid, ep.id, now=now, locale=locale)
        more = extra(store, uid) if extra is not None else None
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    return ep, st, more

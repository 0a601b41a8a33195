"""Helpers shared by the command modules: reading JSON input, reporting bad input."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer

EXIT_BAD_INPUT = 2
MAX_LISTED_ERRORS = 20  # as contract.MAX_LISTED_ERRORS, without importing the contract for every command


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print an error on standard error and exit (2: bad input)."""
    sys.stderr.write(f"backspasm: {message}\n")
    raise typer.Exit(code)


def bad_input(exc: Exception) -> NoReturn:
    """Report a BadInput (or similar) naming each field, then exit 2."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors:
        lines = [f"{loc}: {msg}" if loc else msg for loc, msg in errors[:MAX_LISTED_ERRORS]]
        more = max(0, len(errors) - MAX_LISTED_ERRORS) + int(getattr(exc, "omitted", 0) or 0)
        if more:
            lines.append(f"... and {more} more")
        fail("bad input:\n  " + "\n  ".join(lines))
    fail(f"bad input: {exc}")


def read_source(path: str) -> bytes:
    """Bytes of FILE, or of standard input for '-'."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        fail(f"bad input: no such file: {path}")
    except IsADirectoryError:
        fail(f"bad input: {path} is a directory")
    except OSError as e:
        fail(f"bad input: cannot read {path}: {e.strerror or e}")


def write_output(path: str, data: str | bytes) -> None:
    """Write to FILE, or to standard output for '-'; a path that cannot be written is bad input (exit 2)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    try:
        with open(path, "wb") as f:
            f.write(raw)
    except OSError as e:
        fail(f"bad input: cannot write {path}: {e.strerror or e}")


LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        metavar="TAG",
        help="Wording: en-US (911, acetaminophen) or en-GB (999, paracetamol, GP). "
        "Default: from the environment's language (LC_ALL, LC_MESSAGES, LANG), else en-US.",
    ),
]


def resolve_locale(tag: str | None) -> str:
    """The locale a command speaks: the --locale given (bad input when unknown), else the environment's."""
    from .. import i18n

    if tag is None:
        return i18n.from_environment()
    try:
        return i18n.normalise(tag)
    except i18n.UnknownLocale as e:
        fail(f"bad input:\n  --locale: {e}")

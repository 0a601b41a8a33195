"""Running the diary commands in tests: the command line in process, its JSON answers checked and parsed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backspasm.cli import app

runner = CliRunner()
T0 = "2026-11-20T08:00:00+00:00"


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input)


def ok_json(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    r = run(*args, "--format", "json", input=input)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)

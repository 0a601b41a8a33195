"""The diary's text output carries the safety net, and keeps or changes its wording on request."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from backspasm.cli import app

runner = CliRunner()
T0 = "2026-11-20T08:00:00+00:00"
RAW_REF = re.compile(r"\b(?:article|guideline|label|study):[a-z][a-z0-9-]+")


def run(*args: str, env: dict[str, str] | None = None) -> str:
    r = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    assert r.exit_code == 0, r.stderr
    return r.stdout


def test_status_and_check_in_show_the_safety_net_after_the_banner() -> None:
    run("episode", "start", "--pain", "5", "--hours", "2", "--at", T0)
    out = run("status", "--now", "2026-11-20T09:00:00+00:00")
    assert out.index("╯") < out.index("Call 911 now if:") < out.index("Book a visit in the next few days if:")
    assert "Not asked:" in out  # started from flags: the red flags were never asked
    assert RAW_REF.search(out) is None
    checkin = run("checkin", "--pain", "4", "--at", "2026-11-20T10:00:00+00:00")
    assert "Call 911 now if:" in checkin


def test_an_episode_keeps_the_wording_it_was_started_in_and_status_can_change_it() -> None:
    run("episode", "start", "--pain", "5", "--hours", "2", "--at", T0, "--locale", "en-GB")
    assert "Call 999 or go to A&E now if:" in run("status", "--now", "2026-11-20T09:00:00+00:00")
    us = run("status", "--now", "2026-11-20T09:00:00+00:00", "--locale", "en-US")
    assert "Call 911 now if:" in us and "999" not in us
    data = json.loads(run("status", "--now", "2026-11-20T09:00:00+00:00", "--format", "json"))
    assert data["result"]["locale"] == "en-GB" and data["result"]["watch_for"]


def test_episode_start_takes_its_wording_from_the_environment() -> None:
    out = run("episode", "start", "--pain", "5", "--hours", "2", "--at", T0, env={"LANG": "en_GB.UTF-8"})
    assert "Call 999 or go to A&E now if:" in out

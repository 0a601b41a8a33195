"""`backspasm status` shows how the prevention program is going, when there is one."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from backspasm.cli import app

runner = CliRunner()


def ok(*args: str) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.stderr
    return r.stdout


def test_status_has_no_program_until_one_is_made() -> None:
    ok("episode", "start", "--pain", "4", "--hours", "60")
    assert json.loads(ok("status", "--format", "json"))["prevention_program"] is None
    assert "Prevention program" not in ok("status")


def test_status_counts_ticked_off_sessions() -> None:
    # Well past the 48 hours of rest, with sessions early in the day, so that today's
    # sessions are due whatever the time of day the test runs at.
    today = date.today().isoformat()
    ok("episode", "start", "--pain", "4", "--hours", "100")
    ok("prevent", "--sitting-hours", "8", "--no-lifting-at-work", "--activity-level", "inactive", "--activity", "walking",
       "--start", today, "--time", "00:00")
    ok("done", "plank")
    program = json.loads(ok("status", "--format", "json"))["prevention_program"]
    assert program["done"] == 1 and program["due"] >= 1
    assert "Prevention program: 1 of" in ok("status")


def test_the_heat_switch_reminder_follows_the_knowledge_base() -> None:
    from backspasm.diary.reminders import switch_to_heat_hour
    from backspasm.knowledge import load

    cold = next(r for r in load().plan if r.code == "cold_therapy")
    heat = next(r for r in load().plan if r.code == "heat_therapy")
    assert switch_to_heat_hour() == cold.when.hours_since_onset_below == heat.when.hours_since_onset_at_least

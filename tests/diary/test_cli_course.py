"""The diary's clock and the state of findings in the CLI: --gone, seen, the machine's zone, the plan counted from onset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from diarycli import T0, ok_json, run

from backspasm.cli import diary_args


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's zone is New York for the test."""
    monkeypatch.setenv("TZ", "America/New_York")
    diary_args.zone.cache_clear()
    yield
    diary_args.zone.cache_clear()


def test_gone_is_repeatable_and_reported_beside_findings() -> None:
    ok_json("episode", "start", "--pain", "5", "--hours", "2", "--findings", "leg_tingling,fever", "--at", T0)
    out = ok_json("checkin", "--pain", "4", "--gone", "leg_tingling", "--gone", "fever", "--at", "2026-11-20T20:00Z")
    assert out["checkin"]["gone"] == ["leg_tingling", "fever"] and out["checkin"]["findings"] == []
    assert out["result"]["urgency"] == "self_care"
    st = ok_json("status", "--now", "2026-11-20T21:00Z")
    assert st["gone"] == ["fever", "leg_tingling"] and st["findings_now"] == []
    assert [c["urgency"] for c in st["checkins"]] == ["self_care"]


def test_gone_in_json_input_and_a_bad_gone_exits_2() -> None:
    ok_json("episode", "start", "--pain", "5", "--hours", "2", "--findings", "fever", "--at", T0)
    r = run("checkin", "--pain", "4", "--gone", "leg_weakness")
    assert r.exit_code == 2 and "gone[0]" in r.stderr and "not recorded as present" in r.stderr and r.stdout == ""
    out = ok_json("checkin", "--json", "-", input='{"pain": 3, "gone": ["fever"], "at": "2026-11-20T12:00:00Z"}')
    assert out["checkin"]["gone"] == ["fever"]


def test_an_emergency_check_in_shows_why_and_how_to_record_the_visit_not_a_routine_step() -> None:
    ok_json("episode", "start", "--pain", "5", "--hours", "2", "--at", T0)
    r = run("checkin", "--pain", "5", "--findings", "saddle_numbness", "--at", "2026-11-20T10:00Z")
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    assert "Numbness in the saddle area" in text and "backspasm seen" in text
    assert "backspasm status" not in text and "Next" not in text
    held = run("checkin", "--pain", "4", "--gone", "saddle_numbness", "--at", "2026-11-20T11:00Z")
    assert "holds until you record that a clinician has seen you" in " ".join(held.stdout.split())
    seen = ok_json("seen", "--note", "A&E: scan clear", "--at", "2026-11-20T15:00Z")
    assert seen["released"] == ["saddle_numbness"] and seen["result"]["urgency"] == "self_care"
    st = ok_json("status", "--now", "2026-11-20T16:00Z")
    assert st["advice"].startswith("You recorded that a clinician has seen you")
    assert st["visits"][0]["note"] == "A&E: scan clear" and st["next_due"]
    status_text = " ".join(run("status", "--now", "2026-11-20T16:00Z").stdout.split())
    assert "follow the advice you were given" in status_text and "A&E: scan clear" in status_text


def test_times_without_an_offset_are_the_machines_zone_and_it_is_printed(new_york: None) -> None:
    ok_json("episode", "start", "--pain", "5", "--hours", "2", "--at", "2026-11-20T08:00")
    out = ok_json("checkin", "--pain", "4", "--at", "2026-11-20T10:00")
    assert out["checkin"]["at"] == "2026-11-20T15:00:00+00:00"  # 10:00 in New York is 15:00 UTC
    assert out["checkin"]["zone"] == "America/New_York"
    assert ok_json("status", "--now", "2026-11-20T11:00")["zone"] == "America/New_York"
    text = " ".join(run("status", "--now", "2026-11-20T11:00").stdout.split())
    assert "Times are in America/New_York" in text
    assert "Episode 1: began Fri, Nov 20, recorded Fri, Nov 20" in text


def test_episode_start_at_counts_the_plan_from_that_moment_not_from_now() -> None:
    r = run("episode", "start", "--pain", "5", "--hours", "2", "--at", T0)
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    # onset 06:00 UTC on the 20th: hour 48 is 06:00 on the 22nd, whatever day the command runs (in the locale's format)
    assert "from Sun, Nov 22, 6:00 AM (hour 48)" in text
    assert "began Fri, Nov 20, recorded Fri, Nov 20" in text


def test_report_takes_a_name_and_birth_date_and_refuses_a_bad_date(tmp_path: Path) -> None:
    ok_json("episode", "start", "--pain", "5", "--hours", "2", "--at", T0)
    r = run("report", "--out", f"{tmp_path}/v.html", "--name", "Ann Example", "--dob", "1974-03-02")
    assert r.exit_code == 0, r.stderr
    assert "Ann Example, born Mar 2, 1974" in (tmp_path / "v.html").read_text(encoding="utf-8")
    bad = run("report", "--out", f"{tmp_path}/w.html", "--dob", "02/03/1974")
    assert bad.exit_code == 2 and "--dob" in bad.stderr

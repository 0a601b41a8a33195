"""The diary commands without a terminal: flags or --json in, --format json out, exit 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from diarycli import T0, ok_json, run


@pytest.fixture
def episode() -> int:
    out = ok_json("episode", "start", "--pain", "6", "--hours", "2", "--at", T0)
    return int(out["episode"]["id"])


def test_episode_start_from_json_stdin() -> None:
    out = ok_json("episode", "start", "--json", "-", "--at", T0, input='{"hours_since_onset": 3, "pain": 4}')
    assert out["result"]["urgency"] == "self_care"
    assert ok_json("episodes")[0]["id"] == out["episode"]["id"]


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["checkin", "--pain", "11"], None, "pain"),
        (["checkin", "--pain", "5", "--tried", "ice"], None, "tried.ice"),
        (["checkin", "--pain", "5", "--findings", "tingles"], None, "findings[0]"),
        (["checkin", "--pain", "5", "--at", "2026-11-19T08:00:00+00:00"], None, "before the spasm began"),
        (["checkin", "--pain", "5", "--at", "yesterday"], None, "ISO 8601"),
        (["checkin", "--json", "-"], '{"pain": 5, "mood": "bad"}', "mood"),
        (["checkin", "--json", "-"], "not json", "not valid JSON"),
        (["checkin", "--pain", "5", "--episode", "999"], None, "no episode 999"),
        (["checkin"], "", "--pain"),
        (["status", "--format", "yaml"], None, "--format"),
        (["report", "--out", "visit.docx"], None, "--out"),
    ],
)
def test_bad_input_exits_2_with_the_error_on_stderr_only(episode: int, args: list[str], stdin: str | None, needle: str) -> None:
    r = run(*args, input=stdin)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert needle in r.stderr


def test_checkin_without_an_episode_says_how_to_start_one() -> None:
    r = run("checkin", "--pain", "4")
    assert r.exit_code == 2 and "episode start" in r.stderr and r.stdout == ""


def test_checkin_and_status_as_json(episode: int) -> None:
    out = ok_json("checkin", "--pain", "5", "--tried", "cold=yes,nsaid", "--note", "better", "--at", "2026-11-20T20:00Z")
    assert out["checkin"]["tried"] == {"cold": True, "nsaid": None}
    assert out["escalated"] is False
    out = ok_json("checkin", "--json", "-", input='{"pain": 5, "at": "2026-11-23T10:00:00Z"}')
    assert out["escalated"] is True and out["result"]["urgency"] == "soon"
    st = ok_json("status", "--now", "2026-11-23T11:00:00Z")
    assert st["pain_trend"] == [5, 5] and len(st["sparkline"]) == 3
    assert st["next_due"][0]["code"] == "next_checkin"
    assert [e["code"] for e in st["escalations"]] == ["soon"]


def test_escalation_is_shown_prominently(episode: int) -> None:
    r = run("checkin", "--pain", "5", "--findings", "leg_weakness", "--at", "2026-11-20T10:00Z")
    assert r.exit_code == 0
    assert "URGENCY RAISED" in r.stdout and "Weakness" in r.stdout


def test_status_text_says_switch_to_heat_after_48_hours(episode: int) -> None:
    assert run("checkin", "--pain", "5", "--at", "2026-11-20T12:00Z").exit_code == 0
    r = run("status", "--now", "2026-11-22T09:00Z")
    assert r.exit_code == 0
    assert "hours have passed: switch from cold to heat and start moving more" in " ".join(r.stdout.split())
    assert "Pain trend" in r.stdout


def test_remind_writes_an_icalendar_file(episode: int, tmp_path: Path) -> None:
    from icalendar import Calendar

    ics = tmp_path / "remind.ics"
    out = ok_json("remind", "--ics", str(ics), "--now", "2026-11-20T09:00Z")
    cal = Calendar.from_ical(ics.read_bytes())
    summaries = [str(ev.get("summary")) for ev in cal.walk("VEVENT")]
    assert len(summaries) == len(out)
    assert "Back spasm: Switch from cold to heat" in summaries
    assert "Back spasm: End of rest" in summaries


def test_close_then_checkin_is_refused(episode: int) -> None:
    assert ok_json("episode", "close", "--at", "2026-11-21T08:00Z")["closed_at"].startswith("2026-11-21")
    r = run("checkin", "--pain", "3")
    assert r.exit_code == 2 and "no open episode" in r.stderr


def test_export_then_import_into_a_fresh_data_dir(episode: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok_json("checkin", "--pain", "4", "--at", "2026-11-20T18:00Z")
    out = tmp_path / "mine.json"
    assert run("export", "--out", str(out)).exit_code == 0
    monkeypatch.setenv("BACKSPASM_DATA_DIR", str(tmp_path / "elsewhere"))
    assert ok_json("import", str(out)) == {"episodes": 1, "checkins": 1, "visits": 0, "activities": 1, "documents": 0,
                                          "skipped_episodes": 0}
    assert ok_json("status")["pain_trend"] == [4]


def test_report_files_are_written(episode: int, tmp_path: Path) -> None:
    ok_json("checkin", "--pain", "4", "--tried", "heat=no", "--at", "2026-11-21T18:00Z")
    for name in ("visit.html", "visit.pdf"):
        r = run("report", "--out", str(tmp_path / name))
        assert r.exit_code == 0, r.stderr
    assert (tmp_path / "visit.pdf").read_bytes().startswith(b"%PDF")
    assert "<svg" in (tmp_path / "visit.html").read_text()

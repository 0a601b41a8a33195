"""The prevention commands: JSON and flags in, text or JSON out, exit 2 naming the field on bad input."""

from __future__ import annotations

import json
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from backspasm.cli import app
from backspasm.cli.prevent_cmd import ask_program
from backspasm.prevent.checklists import get_checklist
from backspasm.prevent.library import load

runner = CliRunner()
FLAGS = ["--sitting-hours", "7", "--no-lifting-at-work", "--activity-level", "some"]


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), input=stdin)
    return r.exit_code, r.stdout, r.stderr


def test_exercises_lists_the_library() -> None:
    code, out, _ = invoke("exercises", "--format", "json")
    assert code == 0
    assert [e["code"] for e in json.loads(out)][:3] == ["knee_to_chest", "pelvic_tilt", "plank"]
    code, out, _ = invoke("exercises")
    assert code == 0 and "plank" in out and "walking" in out and "exercises show CODE" in out


def flat(text: str) -> str:
    """Terminal output without the panel's borders and line breaks, for looking sentences up."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("code", list(load().exercises))
def test_exercises_show_prints_the_steps_and_what_the_picture_shows_not_a_file(code: str) -> None:
    ex = load().exercises[code]
    rc, out, _ = invoke("exercises", "show", code)
    assert rc == 0
    text = flat(out)
    for step in ex.steps:
        assert flat(step) in text
    assert flat(ex.figure_alt) in text and "Stop when" in text and "Easier" in text
    assert ".svg" not in text and "figures/" not in text
    assert f"backspasm exercises show {code} --open" in text and "--svg FILE" in text


def test_exercises_show_json_carries_the_figure() -> None:
    code, out, _ = invoke("exercises", "show", "plank", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["figure_svg"] == load().figures["plank"] and data["stop_signs"] and data["steps"]


def test_exercises_show_svg_writes_the_figure_to_the_file(tmp_path: Path) -> None:
    target = tmp_path / "plank.svg"
    code, out, _ = invoke("exercises", "show", "plank", "--svg", str(target))
    assert code == 0 and "How to do it" in out
    assert target.read_text(encoding="utf-8") == load().figures["plank"] + "\n"


def test_exercises_show_svg_dash_prints_only_the_figure() -> None:
    code, out, _ = invoke("exercises", "show", "walking", "--svg", "-")
    assert code == 0 and out == load().figures["walking"] + "\n"


@pytest.mark.parametrize("where", ["missing-folder/plank.svg", "."])
def test_exercises_show_svg_to_a_place_that_cannot_be_written_exits_2(tmp_path: Path, where: str) -> None:
    code, out, err = invoke("exercises", "show", "plank", "--svg", str(tmp_path / where))
    assert code == 2 and out == "" and "cannot write" in err and "Traceback" not in err


def test_exercises_show_open_puts_the_figure_in_the_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    code, out, _ = invoke("exercises", "show", "knee-to-chest", "--open")
    assert code == 0 and "How to do it" in out and "Opened the picture" in out
    assert len(opened) == 1 and opened[0].startswith("file://") and opened[0].endswith(".svg")
    path = Path(url2pathname(urlparse(opened[0]).path))
    try:
        assert path.read_text(encoding="utf-8") == load().figures["knee_to_chest"] + "\n"
    finally:
        path.unlink()


def test_exercises_show_open_keeps_json_output_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    code, out, err = invoke("exercises", "show", "plank", "--format", "json", "--open")
    assert code == 0 and json.loads(out)["code"] == "plank" and "Opened the picture" in err
    Path(url2pathname(urlparse(opened[0]).path)).unlink()


def test_exercises_show_open_without_a_browser_says_where_the_picture_is(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) and False)
    code, _, err = invoke("exercises", "show", "plank", "--open")
    path = Path(url2pathname(urlparse(opened[0]).path))
    assert code == 1 and "no web browser could be opened" in flat(err) and path.name in err
    assert path.read_text(encoding="utf-8").startswith("<svg")
    path.unlink()


def test_an_unknown_exercise_exits_2_listing_the_choices() -> None:
    code, out, err = invoke("exercises", "show", "burpee")
    assert code == 2 and out == "" and "unknown exercise 'burpee'" in err and "plank" in err


def test_prevent_with_flags_gives_the_program_as_json() -> None:
    code, out, _ = invoke("prevent", *FLAGS, "--activity", "cycling", "--limit", "neck_pain", "--format", "json", "--no-diary")
    assert code == 0
    p = json.loads(out)
    assert p["status"] == "ready" and len(p["weeks"]) == 6
    assert {s["code"] for s in p["sessions"] if s["kind"] == "low_impact"} == {"cycling"}
    assert [n["code"] for n in p["left_out"]] == ["gentle_crunch"]


def test_prevent_reads_json_answers_from_stdin() -> None:
    body = {"sitting_hours": 2, "lifting_at_work": True, "activity_level": "active", "urgency": "urgent"}
    code, out, _ = invoke("prevent", "--json", "-", "--format", "json", "--no-diary", stdin=json.dumps(body))
    assert code == 0
    p = json.loads(out)
    assert p["status"] == "not_now" and p["sessions"] == [] and "doctor" in p["notes"][0]["text"]


def test_prevent_text_output_says_why_it_waits() -> None:
    code, out, _ = invoke("prevent", *FLAGS, "--urgency", "self_care", "--hours-since-onset", "3", "--no-diary")
    assert code == 0 and "48 hours" in out and "Week by week" in out and "Stop and see a doctor" in out


@pytest.mark.parametrize(
    "args,stdin,words",
    [
        (["--sitting-hours", "3"], None, "lifting_at_work: required field is missing"),
        ([*FLAGS, "--activity-level", "lazy"], None, "activity_level"),
        ([*FLAGS, "--urgency", "self_care"], None, "hours_since_onset is needed"),
        ([*FLAGS, "--start", "someday"], None, "start"),
        (["--json", "-"], "{", "not valid JSON"),
        (["--json", "-"], '{"sitting_hours": 1, "lifting_at_work": false, "activity_level": "some", "x": 1}', "x: unknown"),
        (["--json", "/nonexistent/file.json"], None, "no such file"),
        ([*FLAGS, "--format", "yaml"], None, "--format"),
    ],
)
def test_prevent_bad_input_exits_2_naming_the_field(args: list[str], stdin: str | None, words: str) -> None:
    code, out, err = invoke("prevent", *args, "--no-diary", stdin=stdin)
    assert code == 2, err
    assert out == "" and words in err


def test_prevent_exports_the_program_to_icalendar(tmp_path: Path) -> None:
    target = tmp_path / "program.ics"
    code, out, _ = invoke("prevent", *FLAGS, "--ics", str(target), "--no-diary")
    assert code == 0 and "Calendar written" in out
    assert len(Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 42


def test_no_calendar_is_written_while_the_episode_needs_a_doctor(tmp_path: Path) -> None:
    target = tmp_path / "program.ics"
    code, out, _ = invoke("prevent", *FLAGS, "--urgency", "emergency", "--ics", str(target), "--no-diary")
    assert code == 0 and not target.exists() and "No calendar written" in out


def test_checklist_from_json_ends_with_what_to_change() -> None:
    answers = {i.code: i.code != "load_close" for i in get_checklist("lifting").items}
    code, out, _ = invoke("checklist", "lifting", "--json", "-", "--format", "json", stdin=json.dumps(answers))
    assert code == 0
    assert [c["code"] for c in json.loads(out)["to_change"]] == ["load_close"]
    code, out, _ = invoke("checklist", "lifting", "--json", "-", stdin=json.dumps(answers))
    assert code == 0 and "1 thing to change" in out


@pytest.mark.parametrize(
    "args,stdin,words",
    [
        (["garden"], "{}", "unknown checklist 'garden'"),
        (["workspace", "--json", "-"], '{"feet_flat": true}', "chair_height: required answer is missing"),
        (["workspace"], None, "needs a terminal"),
    ],
)
def test_checklist_bad_input_exits_2(args: list[str], stdin: str | None, words: str) -> None:
    code, _, err = invoke("checklist", *args, stdin=stdin)
    assert code == 2 and words in err


def test_done_and_program_track_the_saved_program_in_the_diary() -> None:
    code, _, _ = invoke("program")
    assert code == 1  # nothing saved yet
    code, _, err = invoke("prevent", *FLAGS, "--format", "json")
    assert code == 0, err
    code, out, _ = invoke("done", "plank")
    assert code == 0 and "Done: Plank" in out
    code, out, _ = invoke("done", "knee-to-chest")
    assert code == 0
    code, out, _ = invoke("program", "--format", "json")
    assert code == 0
    adh = json.loads(out)["adherence"]
    assert adh["done"] == 2 and adh["due"] == 5  # day 1: two stretches and three core exercises
    code, out, _ = invoke("program")
    assert code == 0 and "2 of 5 sessions done" in out and "[x] Plank" in out


def test_done_refuses_an_unknown_exercise_and_a_bad_time() -> None:
    assert invoke("done", "burpee")[0] == 2
    code, _, err = invoke("done", "plank", "--at", "yesterday")
    assert code == 2 and "--at" in err


def test_prevent_takes_the_episode_from_the_diary() -> None:
    from backspasm.diary.store import open_store

    with open_store() as store:
        store.start_episode(store.local_user().id, {"hours_since_onset": 80, "pain": 3, "findings": ["fever"]})
    code, out, _ = invoke("prevent", *FLAGS, "--format", "json")
    assert code == 0
    assert json.loads(out)["status"] == "not_now"


class Script:
    """A scripted asker: answers in order, and a record of what was said."""

    def __init__(self, *answers: Any):
        self.answers = list(answers)
        self.said: list[str] = []

    def say(self, message: Any) -> None:
        self.said.append(str(message))

    def confirm(self, question: str, default: bool | None = None) -> bool:
        return bool(self.answers.pop(0))

    def reply(self, question: str, default: str | None = None) -> str:
        return "yes" if self.answers.pop(0) else "no"

    def integer(self, question: str, low: int, high: int, default: int | None = None) -> int:
        value = int(self.answers.pop(0))
        assert low <= value <= high
        return value

    def hours(self, question: str, default: float | None = None) -> float:
        return float(self.answers.pop(0))

    def text(self, question: str) -> str:
        return str(self.answers.pop(0))


def test_the_questions_fill_in_what_the_flags_left_open() -> None:
    # sitting 9 h, lifts, level 2 (some), walking yes / swimming no / cycling yes, no limits, no spasm now
    ask = Script(9, True, 2, True, False, True, False, False, False, False)
    answers = ask_program(ask, {}, diary_episode=False)
    assert answers == {
        "sitting_hours": 9,
        "lifting_at_work": True,
        "activity_level": "some",
        "activities": ["walking", "cycling"],
        "limits": [],
    }
    assert not ask.answers


def test_a_spasm_now_runs_the_assessment_questions_first() -> None:
    # flags gave everything but the episode; yes to a spasm now; no words; the first red flag is yes,
    # which ends the questions at once (pain and timing are not asked)
    ask = Script(True, "", True)
    answers = ask_program(
        ask,
        {"sitting_hours": 1, "lifting_at_work": False, "activity_level": "some", "activities": ["walking"], "limits": []},
        diary_episode=False,
    )
    assert answers["urgency"] == "emergency" and answers["hours_since_onset"] == 0.0
    assert not ask.answers


# ---- one rule for when a program is offered ----


@pytest.mark.parametrize("episode", [["--urgency", "soon", "--hours-since-onset", "100"], ["--urgency", "soon"]])
def test_a_pending_doctors_visit_withholds_the_program_and_says_why(episode: list[str]) -> None:
    code, out, _ = invoke("prevent", *FLAGS, *episode, "--no-diary")
    assert code == 0
    text = flat(out)
    assert "NO EXERCISE PROGRAM FOR NOW" in text and "Book a doctor's appointment" in text
    assert "Until the visit" in text and "Keep moving gently" in text
    assert "After the visit, come back for your program" in text
    assert "Week by week" not in text and "Plank" not in text
    code, out, _ = invoke("prevent", *FLAGS, *episode, "--no-diary", "--format", "json")
    p = json.loads(out)
    assert code == 0 and p["status"] == "not_now" and p["sessions"] == [] and p["weeks"] == []
    assert p["withheld"]["urgency"] == "soon" and p["withheld"]["source"]["ref"] == "article:when-to-consult"
    assert [s["code"] for s in p["withheld"]["still_applies"]] == ["gentle_movement"]


def test_a_withheld_program_is_not_saved_and_writes_no_calendar(tmp_path: Path) -> None:
    target = tmp_path / "program.ics"
    code, out, _ = invoke("prevent", *FLAGS, "--urgency", "soon", "--ics", str(target))
    assert code == 0 and not target.exists() and "No calendar written" in out
    assert invoke("program")[0] == 1  # nothing was saved


def _exercise_sessions() -> list[Any]:
    from backspasm.diary.store import open_store

    with open_store() as store:
        return list(store.list_activities(store.local_user().id, kind="exercise"))


def test_done_with_no_program_is_refused_and_records_nothing() -> None:
    code, out, err = invoke("done", "plank")
    assert code == 2 and out == ""
    assert "Nothing was recorded: there is no program yet" in err and "backspasm prevent" in err
    assert _exercise_sessions() == []


def test_done_before_the_program_starts_is_refused_then_kept_once_it_has() -> None:
    code, _, err = invoke("prevent", *FLAGS, "--urgency", "self_care", "--hours-since-onset", "1")
    assert code == 0, err
    code, out, err = invoke("done", "plank")
    assert code == 2 and out == "" and "your program starts on" in err and "Traceback" not in err
    assert _exercise_sessions() == []
    start = json.loads(invoke("program", "--format", "json")[1])["program"]["start"]
    code, out, err = invoke("done", "plank", "--at", f"{start}T09:00")
    assert code == 0, err
    assert "Done: Plank" in out and len(_exercise_sessions()) == 1


def test_done_while_the_diary_episode_needs_a_doctor_is_refused() -> None:
    from backspasm.diary.store import open_store

    assert invoke("prevent", *FLAGS)[0] == 0  # a ready program, saved
    with open_store() as store:
        store.start_episode(store.local_user().id, {"hours_since_onset": 80, "pain": 8})  # severe pain: soon
    code, out, err = invoke("done", "walking", "--minutes", "20")
    assert code == 2 and out == ""
    assert "there is no exercise program for now" in flat(err) and "doctor" in err
    assert _exercise_sessions() == []

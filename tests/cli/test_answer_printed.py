"""What the questionnaire prints: the short answer by default, everything with --full, the notes, the echo of
a long description, and the --full flag on the command line."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner
from wordsperson import WEDNESDAY, Person, no_words, reader

from backspasm.cli import app
from backspasm.cli.interactive import excerpt, gather, run_questionnaire
from backspasm.knowledge import load

F = load().findings


def printed(person: Person, read=no_words, full: bool = False, locale: str = "en-US") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(the whole output, the answer from its banner on) at 80 columns, without colour."""
    console = Console(width=80, no_color=True, file=io.StringIO(), highlight=False)
    run_questionnaire(console=console, locale=locale, full=full, ask=person, read_text=read, clock=lambda: WEDNESDAY)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return out, out[out.index("╭"):]


def lines(text: str) -> int:
    return len(text.rstrip("\n").splitlines())


def test_a_self_care_answer_is_short_and_says_plainly_that_nothing_was_found() -> None:
    _out, answer = printed(Person())
    assert 20 <= lines(answer) <= 35
    assert "SELF-CARE AT HOME" in answer and "You can look after this at home for now." in answer
    assert "Nothing in your answers points to a warning sign." in answer
    for heading in ("The next 48 hours", "What to watch for"):
        assert heading in answer
    for left_out in ("What to do", "Keeping the next spasm away", "source:"):
        assert left_out not in answer


def test_with_words_the_short_answer_says_nothing_in_them_points_to_a_warning_sign() -> None:
    _out, answer = printed(Person(words="stiff back after moving house"))
    assert "Nothing in what you wrote, or in your answers, points to a warning sign." in answer


def test_full_prints_everything_with_sources() -> None:
    _out, short = printed(Person())
    _out, whole = printed(Person(), full=True)
    assert lines(whole) > 3 * lines(short)
    for heading in ("What to do", "Keeping the next spasm away", "Your plan by the clock"):
        assert heading in whole
    assert whole.count("source:") >= 5


def test_the_next_48_hours_holds_only_the_steps_due_by_then() -> None:
    _out, answer = printed(Person(onset="10 hours"))
    assert "Switch from cold to heat" in answer  # hour 48, 38 hours from now
    assert "has not eased by at least 2" not in answer  # hour 72, 62 hours from now
    assert "from Fri, Mar 13, 4:30 AM: Switch" in answer.replace("\u202f", " ")  # Wednesday 14:30 + 38 hours


def test_the_whole_plan_is_offered_at_the_end_and_printed_when_wanted() -> None:
    asked = Person()
    printed(asked)
    assert asked.prompts[-1].startswith("Show the whole plan, with what a doctor may offer and the sources? [yes/no] (no)")
    _out, answer = printed(Person(answers={"Show the whole plan": "yes"}))
    assert answer.count("╭") == 2 and "What to do" in answer


def test_an_early_emergency_prints_the_emergency_answer_at_once() -> None:
    p = Person(answers={F["major_trauma"].question: "yes"})
    out, answer = printed(p)
    assert out.index("╭") > 0 and "EMERGENCY" in answer
    assert "Call 911 or go to an emergency department now." in answer
    assert F["major_trauma"].label in answer
    assert "now: Call 911" in answer
    assert "What to watch for" not in answer  # nothing is above an emergency
    assert not p.asked("Show the whole plan") and not p.asked("Pain right now")
    assert lines(answer) <= 20


def test_not_sure_shows_in_the_printed_answer_short_and_full() -> None:
    follow = F["leg_tingling"].unsure
    assert follow is not None
    for full in (False, True):
        _out, answer = printed(Person(answers={F["leg_tingling"].question: "not sure", follow.question: "not sure"}),
                               full=full)
        assert "SEE A DOCTOR TODAY" in answer
        assert "How your answers were counted" in answer
        flat = " ".join(answer.split())
        assert f"{F['leg_tingling'].label}: You were not sure about this, so it counts as present" in flat


def test_reasons_read_from_the_words_are_marked_and_keep_their_source() -> None:
    _out, answer = printed(Person(words="I had a fever all night"), reader({"fever": "fever"}))
    flat = " ".join(answer.split())
    assert f"{F['fever'].label} (from your words):" in flat
    assert "source:" in answer


def test_the_answer_is_worded_for_the_locale() -> None:
    _out, answer = printed(Person(locale="en-GB"), locale="en-GB")
    assert "Call 999 or go to A&E now if:" in answer
    assert "from Fri 13 Mar, 04:30: Switch" in answer


def test_a_long_description_is_echoed_shortened_around_the_words_read() -> None:
    filler = "I had been sitting at my desk most of the week and doing the usual things around the house. " * 12
    words = filler + "Then my left leg started tingling badly. " + filler
    p = Person(words=words)
    gather(p, reader({"leg_tingling": "left leg started tingling"}))
    echo = p.said[p.said.index("Here is what I understood:") + 1]
    assert len(echo) < 400 < len(words)
    assert "left leg started tingling" in echo and echo.startswith("… ") and echo.endswith("…")


def test_the_echo_highlights_each_span_read_and_the_age() -> None:
    text = "I'm 52 and my left leg is tingling"
    out = excerpt(text, ((0, 6), (14, 34)))
    assert out.plain == text
    assert [(s.start, s.end, str(s.style)) for s in out.spans] == [(0, 6, "bold reverse"), (14, 34, "bold reverse")]


def test_a_very_long_echo_keeps_every_span_highlighted_in_its_passage() -> None:
    text = "x " * 400 + "numb foot" + " y" * 400 + " fever" + " z" * 400
    a = text.index("numb foot")
    b = text.index("fever")
    out = excerpt(text, ((a, a + 9), (b, b + 5)))
    marked = [out.plain[s.start : s.end] for s in out.spans if str(s.style) == "bold reverse"]
    assert marked == ["numb foot", "fever"]
    assert out.plain.count("…") == 3  # before, between and after the two passages
    assert len(out.plain) < 400


runner = CliRunner()


def test_full_with_json_is_refused_as_bad_input() -> None:
    r = runner.invoke(app, ["assess", "--json", "-", "--full"], input='{"hours_since_onset": 2, "pain": 2}')
    assert r.exit_code == 2 and r.stdout == "" and "--full" in r.stderr


def test_the_json_mode_is_unchanged_by_the_questionnaire() -> None:
    r = runner.invoke(app, ["assess", "--json", "-"], input='{"hours_since_onset": 2, "pain": 2, "unsure": ["fever"]}')
    assert r.exit_code == 0 and '"kind":"unsure"' in r.stdout


@pytest.mark.parametrize("flag", ["--full", "--no-color"])
def test_the_questionnaire_flags_still_need_a_terminal(flag: str) -> None:
    r = runner.invoke(app, ["assess", flag], input="")
    assert r.exit_code == 2 and "--json" in r.stderr


def test_a_long_description_with_nothing_read_is_echoed_as_its_opening() -> None:
    text = "word " * 300
    out = excerpt(text, ())
    assert out.plain.startswith("word word") and out.plain.endswith("…")
    assert 590 <= len(out.plain) <= 620 and all(str(s.style) == "dim" for s in out.spans)

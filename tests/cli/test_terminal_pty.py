"""`backspasm assess` in a real pseudo-terminal, answered in words as a person types them."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest

from backspasm.knowledge import load

pexpect = pytest.importorskip("pexpect")

F = load().findings
CHOICES = r" \[yes/no/not sure\]"
ANY_YES_NO = re.compile(CHOICES + r"(?: \([a-z ]+\))?: ")


def spawn(*args: str, lang: str = "en_US.UTF-8"):  # type: ignore[no-untyped-def]
    """The command in a pseudo-terminal wide enough that no prompt wraps; TERM=dumb keeps escape codes out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "COLUMNS", "LINES"))}
    env.update({"TERM": "dumb", "LANG": lang, "COLUMNS": "300", "LINES": "60", "PYTHONIOENCODING": "utf-8"})
    child = pexpect.spawn(sys.executable, ["-m", "backspasm", "assess", "--no-color", *args], env=env,
                          encoding="utf-8", timeout=90, dimensions=(60, 300))
    child.logfile_read = io.StringIO()
    return child


def answer_all(child, answers: list[tuple[str, str]]) -> str:  # type: ignore[no-untyped-def]
    """Answer each prompt by the first pattern it matches (any other yes/no question: 'no') until the program ends;
    returns everything the terminal showed."""
    patterns = [re.compile(p) for p, _ in answers] + [ANY_YES_NO, pexpect.EOF]
    while True:
        i = child.expect(patterns)
        if patterns[i] is pexpect.EOF:
            break
        child.sendline(answers[i][1] if i < len(answers) else "no")
    child.close()
    assert child.exitstatus == 0, child.logfile_read.getvalue()[-2000:]
    return str(child.logfile_read.getvalue()).replace("\r\n", "\n")


def question(code: str, follow_up: bool = False) -> str:
    f = F[code]
    text = f.unsure.question if follow_up and f.unsure else f.question
    return re.escape(text) + CHOICES + ": "


def test_answered_in_words_yes_not_sure_8_of_10_about_a_day() -> None:
    child = spawn()
    child.expect("Describe what happened in your own words \\(or press Enter to skip\\): ")
    child.sendline("My lower back locked up when I lifted a box. I'm 38.")
    shown = answer_all(child, [
        (r"You said you are 38\. Is that right\?" + CHOICES + r" \(yes\): ", "yes"),
        (question("fever"), "not sure"),
        (question("fever", follow_up=True), "No"),
        (r"Pain right now, from 0 \(none\) to 10 \(worst imaginable\)[^\n]*?: ", "8/10"),
        (r"How long ago did this spasm start\?[^\n]*?\): ", "about a day"),
        (r"Show the whole plan[^\n]*?: ", "no"),
    ])
    assert "Here is what I understood:" in shown
    assert "How old are you" not in shown  # the age in the words was confirmed
    answer = shown[shown.index("╭"):]
    assert "SEE A DOCTOR SOON" in answer
    assert "Book a doctor's appointment in the next few days." in answer
    assert "Severe pain" in answer  # 8/10
    assert "The next 48 hours" in answer and "What to watch for" in answer
    assert "What to do" not in answer  # the short answer
    assert "Traceback" not in shown


def test_not_sure_then_the_follow_up_stops_at_the_emergency_without_asking_pain() -> None:
    follow = F["bladder_bowel_control_loss"].unsure
    assert follow is not None and follow.present_if == "no"
    child = spawn()
    child.expect("Describe what happened")
    child.sendline("")
    shown = answer_all(child, [
        (question("bladder_bowel_control_loss"), "not sure"),
        (question("bladder_bowel_control_loss", follow_up=True), "no"),
    ])
    assert "Stop here" in shown
    answer = shown[shown.index("╭"):]
    assert "EMERGENCY" in answer and "Call 911 or go to an emergency department now." in answer
    assert F["bladder_bowel_control_loss"].label in answer
    assert "Pain right now" not in shown and "How long ago" not in shown


def test_in_a_british_terminal_a_yes_gives_999_and_full_gives_the_whole_answer() -> None:
    child = spawn("--full", lang="en_GB.UTF-8")
    child.expect("Describe what happened")
    child.sendline("")
    shown = answer_all(child, [(question("saddle_numbness").replace(re.escape(F["saddle_numbness"].question),
                                                                   re.escape(load("en-GB").findings["saddle_numbness"]
                                                                             .question)), "Yes")])
    answer = shown[shown.index("╭"):]
    assert "Call 999" in answer and "911" not in answer
    assert "What to do" in answer and "source:" in answer

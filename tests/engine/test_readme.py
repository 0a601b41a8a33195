"""The README stays true: its examples give what it says, and it names every command."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from backspasm import BadInput, assess, parse_assessment
from backspasm.cli import app

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_assess_example_gives_what_the_readme_shows() -> None:
    example = re.search(r"\$ echo '(\{.*?\})' \\\n\s+\| backspasm assess", README)
    assert example, "README lost its assess example"
    r = assess(parse_assessment(json.loads(example.group(1))))
    shown = README[example.end():README.index("```", example.end())]
    assert f'"urgency": "{r.urgency}"' in shown
    assert f'"headline": "{r.headline}"' in shown
    for item in r.plan:
        assert f"{item.code} ({item.get('status')})" in shown


def test_the_bad_input_example_shows_the_real_messages() -> None:
    example = re.search(r"\$ echo '(\{[^']*\"pain\": 11[^']*\})'", README)
    assert example
    try:
        parse_assessment(json.loads(example.group(1)))
    except BadInput as e:
        for loc, msg in e.errors:
            assert f"{loc}: {msg}" in README
    else:
        raise AssertionError("the README's bad input was accepted")


def test_every_top_level_command_is_in_the_readme() -> None:
    out = CliRunner().invoke(app, ["--help"], terminal_width=200).stdout
    commands = re.findall(r"^\s{2}(\w[\w-]*)\s{2,}", out.split("Commands:")[1], flags=re.M)
    assert commands
    missing = [c for c in commands if f"backspasm {c}" not in README]
    assert not missing, f"README does not mention: {missing}"


def test_the_python_examples_run_as_shown() -> None:
    import doctest

    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks
    for block in blocks:
        test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
        result = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE).run(test, out=lambda _s: None)
        assert result.failed == 0, block

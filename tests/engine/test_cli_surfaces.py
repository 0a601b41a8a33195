"""What the terminal shows of a v1.1 result: the safety net after the banner, what was not asked,
avoid and ask-first cards that lead with the reason, sources by title, the locale; and `sources`."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from backspasm import Result, assess, parse_assessment
from backspasm.cli import app
from backspasm.cli.render import render_result
from backspasm.codes import SOURCE_REFS
from backspasm.knowledge import load

runner = CliRunner()
RAW_REF = re.compile(r"\b(article|guideline|label|study):[a-z]")


def shown(result: Result) -> str:
    console = Console(width=200, no_color=True, file=io.StringIO())
    render_result(result, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def result(**fields: Any) -> Result:
    return assess(parse_assessment({"hours_since_onset": 10, "pain": 3, **fields}))


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200", **(env or {})})


def test_the_safety_net_follows_the_banner_grouped_emergency_first() -> None:
    text = shown(result())
    banner_end = text.index("╯")
    headings = [lv.watch_heading for lv in (load().levels[c] for c in ("emergency", "urgent", "soon"))]
    places = [text.index(f"{h}:") for h in headings if h]
    assert banner_end < places[0] < places[1] < places[2] < text.index("What to do")
    emergency_group = text[places[0]:places[1]]
    for f in load().findings.values():
        if f.level == "emergency":
            assert f.watch in emergency_group


def test_an_emergency_shows_no_safety_net_and_no_unasked_list() -> None:
    text = shown(result(findings=["major_trauma"]))
    assert "now if:" not in text and "Not asked" not in text


def test_the_unasked_red_flags_are_named_when_the_input_left_them_out() -> None:
    partial = shown(result(denied=["fever"]))
    assert "Not asked:" in partial and load().findings["saddle_numbness"].label in partial
    assert load().findings["fever"].label + ";" not in partial
    red = [c for c, f in load().findings.items() if f.level in ("urgent", "emergency")]
    assert "Not asked" not in shown(result(denied=red))


def test_an_nsaid_to_avoid_says_so_first_then_why_and_never_recommends_it() -> None:
    text = shown(result(conditions=["pregnancy"]))
    card = text[text.index("DO NOT TAKE UNLESS A DOCTOR PRESCRIBES IT"):]
    card = card[: card.index("source:")]
    caution = load().conditions["pregnancy"].caution
    assert "Anti-inflammatory" in card.splitlines()[0]
    assert card.index(caution[:40]) < card.index("Do not take ibuprofen")
    assert "guidelines prefer" not in card


def test_an_nsaid_to_ask_about_first_leads_with_the_reason() -> None:
    text = shown(result(conditions=["heavy_alcohol_use"]))
    card = text[text.index("ASK A PHARMACIST OR DOCTOR FIRST: Anti-inflammatory"):]
    card = card[: card.index("source:")]
    assert card.index("three or more drinks") < card.index("Ask a pharmacist or doctor before taking ibuprofen")
    assert "guidelines prefer" not in card


def test_people_see_source_titles_and_addresses_never_raw_refs() -> None:
    text = shown(result(findings=["radiating_leg_pain", "not_improving"], conditions=["kidney_disease"]))
    assert RAW_REF.search(text) is None
    assert "Sciatica (lumbar radiculopathy) <https://cks.nice.org.uk/" in text


def test_en_gb_wording_in_the_terminal() -> None:
    text = shown(result(locale="en-GB", conditions=["liver_disease"]))
    assert "Call 999 or go to A&E now if:" in text and "Paracetamol" in text
    said = "\n".join(line for line in text.splitlines() if not line.startswith("source:"))  # US labels keep their titles
    assert "911" not in said and "acetaminophen" not in said.lower()


def test_assess_json_takes_the_locale_from_the_flag_and_an_items_own_locale_wins() -> None:
    batch = [{"hours_since_onset": 5, "pain": 3}, {"hours_since_onset": 5, "pain": 3, "locale": "en-US"}]
    r = cli("assess", "--json", "-", "--locale", "en-GB", stdin=json.dumps(batch))
    assert r.exit_code == 0
    assert [x["locale"] for x in json.loads(r.stdout)] == ["en-GB", "en-US"]


@pytest.mark.parametrize(("env", "expected"), [({"LANG": "en_GB.UTF-8"}, "en-GB"), ({"LANG": "C.UTF-8"}, "en-US"),
                                               ({"LC_ALL": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "en-US")])
def test_without_the_flag_the_locale_comes_from_the_environment(env: dict[str, str], expected: str) -> None:
    r = cli("assess", "--json", "-", stdin='{"hours_since_onset": 5, "pain": 3}', env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["locale"] == expected


@pytest.mark.parametrize("command", [["assess", "--json", "-"], ["explain", "fever"], ["knowledge"], ["sources"]])
def test_an_unknown_locale_is_bad_input_naming_the_option(command: list[str]) -> None:
    r = cli(*command, "--locale", "fr-FR", stdin='{"hours_since_onset": 5, "pain": 3}')
    assert r.exit_code == 2 and r.stdout == ""
    assert "--locale" in r.stderr and "en-GB" in r.stderr


def test_explain_shows_the_deviation_the_safety_net_line_and_the_source_address() -> None:
    r = cli("explain", "cough_sneeze_pain")
    assert r.exit_code == 0
    out = " ".join(r.stdout.replace("│", " ").split())
    assert "departs from its source" in out and "NICE NG59 does not count it as a red flag" in out
    assert "https://www.nhs.uk/conditions/back-pain/" in out
    assert "Book a visit in the next few days if coughing, sneezing" in out
    assert RAW_REF.search(out) is None


def test_explain_speaks_the_locale() -> None:
    out = " ".join(cli("explain", "major_trauma", "--locale", "en-GB").stdout.replace("│", " ").split())
    assert "Call 999 or go to A&E now if you are hurt in a serious accident" in out


def test_explain_names_the_conditions_that_make_a_pain_reliever_avoid() -> None:
    out = " ".join(cli("explain", "nsaid").stdout.replace("│", " ").split())
    assert "Do not take unless a doctor prescribes it, with:" in out
    assert load().conditions["nsaid_allergy"].label.lower() in out


def test_knowledge_shows_each_deviation() -> None:
    out = " ".join(cli("knowledge", env={"COLUMNS": "3000"}).stdout.replace("│", " ").split())
    for f in load().findings.values():
        if f.deviation:
            assert f.deviation[:60] in out


def test_sources_json_lists_every_record_with_where_it_is_cited() -> None:
    r = cli("sources", "--json")
    assert r.exit_code == 0
    records = {s["ref"]: s for s in json.loads(r.stdout)}
    assert set(records) == set(SOURCE_REFS)
    for ref, s in records.items():
        assert {"kind", "title", "publisher", "read", "name", "citation", "cited_by"} <= set(s)
        assert s["kind"] in ("article", "guideline", "label", "study") and s["title"]
        if s.get("superseded_by") is None:
            assert s["cited_by"], f"{ref} is cited by nothing"
    assert {"section": "finding", "code": "sexual_dysfunction"} in records["guideline:girft-ces-2023"]["cited_by"]
    assert records["study:farrar-2001"]["kind"] == "study"
    assert any(c["section"].endswith("(note)") for c in records["study:farrar-2001"]["cited_by"])


def test_sources_table_names_every_record_by_title_with_its_address() -> None:
    r = cli("sources", env={"COLUMNS": "300"})
    assert r.exit_code == 0
    for src in load().sources.values():
        assert src.name in r.stdout
        if src.url:
            assert src.url in r.stdout
    assert RAW_REF.search(r.stdout) is None

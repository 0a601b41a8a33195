"""v1.1 result fields: the safety net (`watch_for`), the red flags never asked (`to_ask`), locale."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from backspasm import BadInput, Result, parse_json
from backspasm.codes import FINDING_CODES, URGENCY_RANK
from backspasm.knowledge import load

Run = Callable[..., Result]
RED_FLAGS = [c for c in FINDING_CODES if load().findings[c].level in ("urgent", "emergency")]


def test_a_self_care_answer_carries_every_warning_sign_most_urgent_first(run: Run) -> None:
    r = run(10, 3)
    levels = [w.get("level") for w in r.watch_for]
    assert levels == sorted(levels, key=lambda lv: -URGENCY_RANK[lv])
    assert levels[0] == "emergency" and "soon" in levels
    assert {"bladder_bowel_control_loss", "saddle_numbness", "chest_pain", "major_trauma"} <= set(r.codes("watch_for"))


def test_cancer_history_cannot_arise_during_an_episode_so_it_is_never_watched_for(run: Run) -> None:
    assert "cancer_history" not in run(10, 3).codes("watch_for")


def test_an_emergency_has_no_safety_net(run: Run) -> None:
    assert run(10, 3, findings=["chest_pain"]).watch_for == ()


@pytest.mark.parametrize(("findings", "lowest"), [([], "soon"), (["severe_pain"], "urgent"), (["fever"], "emergency")])
def test_watch_for_holds_only_signs_above_the_result(run: Run, findings: list[str], lowest: str) -> None:
    r = run(10, 3, findings=findings)
    assert {w.get("level") for w in r.watch_for} == {
        lv for lv in ("soon", "urgent", "emergency") if URGENCY_RANK[lv] >= URGENCY_RANK[lowest]
    }
    assert not set(r.codes("watch_for")) & set(r.findings)


def test_each_watch_item_is_a_sentence_that_opens_with_its_action_and_cites_a_source(run: Run) -> None:
    r = run(10, 3)
    by_code = {w.code: w for w in r.watch_for}
    assert by_code["bladder_bowel_control_loss"].text.startswith("Call 911 now if ")
    assert by_code["fever"].text.startswith("See a doctor today if ")
    assert by_code["severe_pain"].text.startswith("Book a visit in the next few days if ")
    for w in r.watch_for:
        assert w.text.endswith(".") and w.get("sign") in w.text and w.ref in load().sources


def test_the_persistent_signs_are_watched_for_with_past_the_third_day(run: Run) -> None:
    by_code = {w.code: w for w in run(10, 3).watch_for}
    assert by_code["sleep_disturbed"].get("level") == "soon"
    assert "third day" in by_code["sleep_disturbed"].text


def test_to_ask_lists_every_red_flag_the_input_never_covered(run: Run) -> None:
    assert list(run(10, 3).to_ask) == RED_FLAGS
    r = run(10, 3, findings=["fever"], denied=["chest_pain", "injury", "severe_pain"])
    assert "fever" not in r.to_ask and "chest_pain" not in r.to_ask and "injury" not in r.to_ask
    assert r.to_ask[0] == "bladder_bowel_control_loss"


def test_to_ask_is_empty_when_every_red_flag_was_answered(run: Run) -> None:
    assert run(10, 3, denied=RED_FLAGS).to_ask == ()


def test_text_that_rules_a_red_flag_out_settles_it_and_a_feared_one_does_not(run: Run) -> None:
    r = run(10, 3, text="No fever. I'm worried I might lose control of my bladder.")
    assert "fever" not in r.to_ask
    assert "bladder_bowel_control_loss" in r.to_ask


def test_en_gb_speaks_of_999_paracetamol_and_the_gp(run: Run) -> None:
    r = run(10, 3, locale="en-GB")
    assert r.locale == "en-GB"
    text = re.sub(r'"(code|ref)":"[^"]*"', "", r.to_json())  # codes are the same in every locale
    assert "999" in text and "paracetamol" in text.lower() and "GP" in text
    assert "911" not in text and "acetaminophen" not in text.lower()


def test_codes_levels_and_rules_are_the_same_in_every_locale(run: Run) -> None:
    fields: dict[str, Any] = {"findings": ["leg_tingling"], "conditions": ["pregnancy"], "age": 70}
    us, gb = run(60, 8, **fields), run(60, 8, locale="en-GB", **fields)
    assert us.urgency == gb.urgency
    for part in ("reasons", "plan", "professional", "prevention", "watch_for"):
        assert us.codes(part) == gb.codes(part)
    assert [p.get("status") for p in us.plan] == [p.get("status") for p in gb.plan]
    assert us.to_ask == gb.to_ask


@pytest.mark.parametrize("tag", ["en-gb", "EN-GB", "en_GB"])
def test_a_locale_tag_is_read_whatever_its_case_or_separator(run: Run, tag: str) -> None:
    assert run(10, 3, locale=tag).locale == "en-GB"


@pytest.mark.parametrize("tag", ["fr-FR", "en", "", "english"])
def test_an_unknown_locale_is_bad_input_naming_the_field(tag: str) -> None:
    with pytest.raises(BadInput) as e:
        parse_json(f'{{"hours_since_onset": 1, "pain": 2, "locale": "{tag}"}}')
    assert e.value.errors[0] == ("locale", f"unknown locale '{tag}' (allowed: en-US, en-GB)")


@pytest.mark.parametrize(
    "raw",
    [
        '{"hours_since_onset": 1, "pain": 2, "findings": ["chest_pain"], "findings": []}',
        '[{"hours_since_onset": 1, "pain": 2}, {"pain": 3, "hours_since_onset": 1, "pain": 4}]',
        '{"hours_since_onset": 1, "pain": 2, "diary": [{"pain": 1, "pain": 2, "hours_since_onset": 0}]}',
    ],
)
def test_a_repeated_key_is_bad_input_naming_the_key(raw: str) -> None:
    with pytest.raises(BadInput) as e:
        parse_json(raw)
    assert "'pain'" in str(e.value) or "'findings'" in str(e.value)

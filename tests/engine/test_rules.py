"""Each rule of CONTRACT.md at its boundaries, as parametrised tables."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backspasm import Result

Run = Callable[..., Result]

EMERGENCY = ["bladder_bowel_control_loss", "saddle_numbness", "bilateral_leg_symptoms", "major_trauma", "sexual_dysfunction",
             "chest_pain"]
URGENT = ["leg_numbness", "leg_tingling", "leg_weakness", "injury", "fever", "cancer_history", "unexplained_weight_loss",
          "thoracic_pain", "back_deformity", "rest_night_pain"]
SOON = ["radiating_leg_pain", "cough_sneeze_pain", "severe_pain", "not_improving", "worsening"]
PERSISTENT = ["sleep_disturbed", "daily_activities_limited"]
PREVENTION = {"posture", "ergonomic_workspace", "low_impact_exercise", "core_strengthening", "lifting_technique"}


@pytest.mark.parametrize(
    ("codes", "level"),
    [([c], "emergency") for c in EMERGENCY] + [([c], "urgent") for c in URGENT] + [([c], "soon") for c in SOON],
)
def test_each_finding_sets_its_level_and_is_a_reason(run: Run, codes: list[str], level: str) -> None:
    r = run(10, 3, findings=codes)
    assert r.urgency == level
    assert r.codes("reasons") == codes
    assert r.reasons[0].source["ref"].startswith(("article:", "guideline:"))


@pytest.mark.parametrize("code", PERSISTENT)
@pytest.mark.parametrize(
    ("hours", "level"), [(0, "self_care"), (3, "self_care"), (71.99, "self_care"), (72, "soon"), (500, "soon")]
)
def test_sleep_and_daily_limits_set_soon_only_once_they_persist_to_hour_72(
    run: Run, code: str, hours: float, level: str
) -> None:
    r = run(hours, 3, findings=[code])
    assert r.urgency == level
    assert code in r.findings  # it counts either way
    assert r.codes("reasons") == ([code] if level == "soon" else [])


def test_before_hour_72_the_plan_says_to_book_a_visit_if_sleep_or_daily_limits_persist(run: Run) -> None:
    r = run(30, 4, findings=["daily_activities_limited"])
    steps = [s for s in r.schedule if s.at_hour == 72]
    assert any("everyday things" in s.text for s in steps)
    assert not any("everyday things" in s.text for s in run(30, 4).schedule)


def test_no_finding_is_self_care_with_no_reasons(run: Run) -> None:
    r = run(10, 3)
    assert (r.urgency, r.reasons, r.findings) == ("self_care", (), ())


def test_highest_level_wins_and_every_finding_is_a_reason(run: Run) -> None:
    r = run(100, 4, findings=["sleep_disturbed", "cancer_history"])
    assert r.urgency == "urgent"
    assert r.codes("reasons") == ["cancer_history", "sleep_disturbed"]


@pytest.mark.parametrize(("pain", "severe"), [(6, False), (7, True), (10, True), (0, False)])
def test_severe_pain_from_the_score(run: Run, pain: int, severe: bool) -> None:
    assert ("severe_pain" in run(10, pain).findings) is severe


@pytest.mark.parametrize(("hours", "long"), [(1007.9, False), (1008, True), (8760, True)])
def test_long_duration_from_six_weeks(run: Run, hours: float, long: bool) -> None:
    r = run(hours, 2)
    assert ("long_duration" in r.findings) is long
    assert r.urgency == ("soon" if long else "self_care")


@pytest.mark.parametrize(
    ("hours", "pain", "diary", "expected"),
    [
        (72, 5, [(10, 6)], True),  # 5 > 6 - 2
        (71.9, 5, [(10, 6)], False),  # too early to call it not improving
        (72, 4, [(10, 6)], False),  # a 2-point improvement
        (150, 5, [(40, 3), (10, 6)], True),  # earliest is by time, whatever the order
        (150, 4, [(10, 6), (10, 9)], False),  # tie on time: the lowest pain counts
        (150, 5, [], False),  # no diary, nothing derived
    ],
)
def test_not_improving(run: Run, hours: float, pain: int, diary: list[tuple[float, int]], expected: bool) -> None:
    r = run(hours, pain, diary=[{"hours_since_onset": h, "pain": p} for h, p in diary])
    assert ("not_improving" in r.findings) is expected


@pytest.mark.parametrize(
    ("pain", "diary", "expected"),
    [(6, [4], True), (5, [4], False), (6, [9, 4], True), (3, [1, 5], True), (2, [1, 5], False)],
)
def test_worsening_against_the_lowest_diary_pain(run: Run, pain: int, diary: list[int], expected: bool) -> None:
    r = run(20, pain, diary=[{"hours_since_onset": i, "pain": p} for i, p in enumerate(diary)])
    assert ("worsening" in r.findings) is expected


def test_presence_wins_over_denial(run: Run) -> None:
    assert run(5, 5, findings=["saddle_numbness"], denied=["saddle_numbness"]).urgency == "emergency"
    assert "severe_pain" in run(5, 8, denied=["severe_pain"]).findings


def test_denied_findings_do_not_count(run: Run) -> None:
    r = run(30, 6, denied=["fever", "injury"])
    assert r.urgency == "self_care" and not r.findings


@pytest.mark.parametrize("code", EMERGENCY)
def test_emergency_plan_is_only_call_emergency(run: Run, code: str) -> None:
    r = run(60, 8, findings=[code, "leg_tingling"], conditions=["pregnancy"])
    assert r.codes("plan") == ["call_emergency"]
    assert r.status("call_emergency") == "recommended"
    assert r.professional == () and r.prevention == ()


@pytest.mark.parametrize(
    ("hours", "cold", "heat", "rest", "resume"),
    [(0, True, False, True, False), (23.9, True, False, True, False), (47.99, True, False, True, False),
     (48, False, True, False, True), (300, False, True, False, True)],
)
def test_cold_then_heat_and_rest_then_activity_by_the_clock(
    run: Run, hours: float, cold: bool, heat: bool, rest: bool, resume: bool
) -> None:
    plan = run(hours, 2).codes("plan")
    assert ("cold_therapy" in plan, "heat_therapy" in plan) == (cold, heat)
    assert ("short_rest" in plan, "resume_activity" in plan) == (rest, resume)


@pytest.mark.parametrize("hours", [0, 10, 23.99])
def test_heat_never_before_24_hours(run: Run, hours: float) -> None:
    for findings in ([], ["fever"], ["severe_pain"]):
        assert "heat_therapy" not in run(hours, 5, findings=findings).codes("plan")


@pytest.mark.parametrize(
    ("findings", "doctor"), [([], None), (["cough_sneeze_pain"], "book_doctor_visit"), (["fever"], "see_doctor_today")]
)
def test_doctor_item_follows_urgency(run: Run, findings: list[str], doctor: str | None) -> None:
    plan = run(10, 3, findings=findings).codes("plan")
    assert [c for c in plan if c in ("book_doctor_visit", "see_doctor_today", "call_emergency")] == ([doctor] if doctor else [])


def test_urgent_plan_has_no_rest_movement_or_stretches(run: Run) -> None:
    plan = run(10, 3, findings=["fever"]).codes("plan")
    for code in ("short_rest", "resume_activity", "gentle_movement", "avoid_aggravating_activities",
                 "stretch_knee_to_chest", "stretch_pelvic_tilt"):
        assert code not in plan
    assert {"cold_therapy", "nsaid", "acetaminophen"} <= set(plan)


@pytest.mark.parametrize(
    ("conditions", "age", "nsaid", "acetaminophen"),
    [
        ([], None, "recommended", "recommended"),
        ([], 59, "recommended", "recommended"),
        ([], 60, "ask_first", "recommended"),
        (["kidney_disease"], 30, "ask_first", "recommended"),
        (["stomach_ulcer_or_bleeding"], None, "ask_first", "recommended"),
        (["blood_thinner"], None, "ask_first", "recommended"),
        (["pregnancy"], None, "avoid", "recommended"),
        (["heart_disease"], None, "ask_first", "recommended"),
        (["nsaid_allergy"], None, "avoid", "recommended"),
        (["nsaid_allergy", "kidney_disease"], 70, "avoid", "recommended"),
        (["liver_disease"], None, "recommended", "ask_first"),
        (["heavy_alcohol_use"], None, "ask_first", "ask_first"),
        (["blood_thinner", "heavy_alcohol_use"], 80, "ask_first", "ask_first"),
    ],
)
def test_pain_relief_cautions(run: Run, conditions: list[str], age: int | None, nsaid: str, acetaminophen: str) -> None:
    fields: dict[str, object] = {"conditions": conditions}
    if age is not None:
        fields["age"] = age
    r = run(30, 3, **fields)
    assert (r.status("nsaid"), r.status("acetaminophen")) == (nsaid, acetaminophen)
    item = next(p for p in r.plan if p.code == "nsaid")
    assert bool(item.get("cautions")) is (nsaid != "recommended")


@pytest.mark.parametrize("condition", ["pregnancy", "nsaid_allergy"])
def test_an_avoided_nsaid_leads_with_do_not_take_never_with_a_recommendation(run: Run, condition: str) -> None:
    item = next(p for p in run(30, 3, conditions=[condition]).plan if p.code == "nsaid")
    assert item.get("status") == "avoid"
    assert item.text.startswith("Do not take")
    assert "prefer" not in item.text


def test_an_ask_first_nsaid_leads_with_the_caution_not_with_what_guidelines_prefer(run: Run) -> None:
    item = next(p for p in run(30, 3, conditions=["kidney_disease"]).plan if p.code == "nsaid")
    assert item.text.startswith("Ask a pharmacist or doctor")
    assert "prefer" not in item.text
    assert "kidney" in item.get("cautions")[0].lower()


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        (["severe_pain"], {"muscle_relaxant", "physical_therapy", "manual_therapy"}),
        (["injury"], {"muscle_relaxant", "physical_therapy"}),
        (["leg_tingling"], {"muscle_relaxant", "physical_therapy", "manual_therapy", "corticosteroid_injection"}),
        (["injury", "leg_weakness"], {"muscle_relaxant", "physical_therapy", "corticosteroid_injection"}),
        (["leg_numbness", "fever"], {"muscle_relaxant", "physical_therapy", "manual_therapy", "corticosteroid_injection"}),
        (["radiating_leg_pain"], {"muscle_relaxant", "physical_therapy", "manual_therapy", "corticosteroid_injection"}),
        (["cough_sneeze_pain"], {"muscle_relaxant", "physical_therapy", "manual_therapy"}),
        ([], set()),
        (["chest_pain"], set()),
    ],
)
def test_professional_options(run: Run, findings: list[str], expected: set[str]) -> None:
    assert set(run(20, 3, findings=findings).codes("professional")) == expected


@pytest.mark.parametrize(("findings", "empty"), [([], False), (["fever"], False), (["worsening"], False), (["chest_pain"], True)])
def test_prevention_is_all_five_unless_emergency(run: Run, findings: list[str], empty: bool) -> None:
    codes = set(run(20, 3, findings=findings).codes("prevention"))
    assert codes == (set() if empty else PREVENTION)


def test_every_item_carries_a_source(run: Run) -> None:
    r = run(30, 8, findings=["leg_tingling"], conditions=["pregnancy"])
    for item in (*r.reasons, *r.plan, *r.professional, *r.prevention):
        assert item.ref and item.text
    assert r.schedule and all(step.ref and step.as_dict()["source"]["ref"] == step.ref for step in r.schedule)


def test_schedule_names_the_switch_to_heat_before_48_hours(run: Run) -> None:
    r = run(20, 3)
    assert any(s.at_hour == 48 and "heat" in s.text for s in r.schedule)
    assert r.schedule[0].at_hour == 20  # "now" comes first
    assert all(s.at_hour >= 20 for s in r.schedule)


def test_schedule_after_48_hours_has_no_past_steps(run: Run) -> None:
    r = run(60, 3)
    assert all(s.at_hour >= 60 for s in r.schedule)
    assert "heat" in r.schedule[0].text.lower()


def test_headline_and_disclaimer_are_present(run: Run) -> None:
    r = run(10, 3, findings=["fever"])
    assert r.headline == "See a doctor today."
    assert "not a diagnosis" in r.disclaimer

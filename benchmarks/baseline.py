"""CONTRACT.md's rules (v1.1) as one hand-written if-chain: the speed baseline and a test oracle.

It knows nothing of the knowledge base: it restates the contract's tables directly,
so a test can compare the data-driven engine against it on generated inputs.
"""

from __future__ import annotations

from typing import Any

from backspasm.contract import Assessment

LEVEL = {
    "bladder_bowel_control_loss": 3, "saddle_numbness": 3, "bilateral_leg_symptoms": 3, "major_trauma": 3,
    "sexual_dysfunction": 3, "chest_pain": 3,
    "leg_numbness": 2, "leg_tingling": 2, "leg_weakness": 2, "injury": 2, "fever": 2, "cancer_history": 2,
    "unexplained_weight_loss": 2, "thoracic_pain": 2, "back_deformity": 2, "rest_night_pain": 2,
    "radiating_leg_pain": 1, "cough_sneeze_pain": 1,
    "severe_pain": 1, "not_improving": 1, "worsening": 1, "sleep_disturbed": 1, "daily_activities_limited": 1,
    "long_duration": 1,
}
PERSISTENT = {"sleep_disturbed", "daily_activities_limited"}  # set soon only from hour 72
NAMES = ("self_care", "soon", "urgent", "emergency")
NSAID_AVOID = {"nsaid_allergy", "pregnancy"}
NSAID_CAUTIONS = {"kidney_disease", "stomach_ulcer_or_bleeding", "blood_thinner", "heart_disease", "heavy_alcohol_use"}
ACETAMINOPHEN_CAUTIONS = {"liver_disease", "heavy_alcohol_use"}
RED_FLAGS = [code for code in LEVEL if LEVEL[code] >= 2]  # most urgent first, as LEVEL lists them


def baseline(a: Assessment) -> dict[str, Any]:
    """Urgency, findings, plan (code -> status), professional, prevention, watch_for and to_ask codes."""
    hours, pain = a.hours_since_onset, a.pain
    found = set(a.findings or ())
    if pain >= 7:
        found.add("severe_pain")
    if hours >= 1008:
        found.add("long_duration")
    if a.diary:
        first = min(a.diary, key=lambda e: (e.hours_since_onset, e.pain))
        if hours >= 72 and pain > first.pain - 2:
            found.add("not_improving")
        if pain >= min(e.pain for e in a.diary) + 2:
            found.add("worsening")
    level = 0
    for code in found:
        if code in PERSISTENT and hours < 72:
            continue
        if LEVEL[code] > level:
            level = LEVEL[code]
    urgency = NAMES[level]
    plan: dict[str, str] = {}
    professional: set[str] = set()
    prevention: set[str] = set()
    if urgency == "emergency":
        plan["call_emergency"] = "recommended"
    else:
        if urgency == "urgent":
            plan["see_doctor_today"] = "recommended"
        if urgency == "soon":
            plan["book_doctor_visit"] = "recommended"
        if urgency in ("self_care", "soon"):
            if hours < 48:
                plan["short_rest"] = "recommended"
            else:
                plan["resume_activity"] = "recommended"
            plan["gentle_movement"] = "recommended"
            plan["avoid_aggravating_activities"] = "recommended"
            if not found & {"injury", "leg_numbness", "leg_tingling", "leg_weakness", "bilateral_leg_symptoms"}:
                plan["stretch_knee_to_chest"] = "recommended"
                plan["stretch_pelvic_tilt"] = "recommended"
        if hours < 48:
            plan["cold_therapy"] = "recommended"
        else:
            plan["heat_therapy"] = "recommended"
        conditions = set(a.conditions or ())
        old = a.age is not None and a.age >= 60
        if conditions & NSAID_AVOID:
            plan["nsaid"] = "avoid"
        elif conditions & NSAID_CAUTIONS or old:
            plan["nsaid"] = "ask_first"
        else:
            plan["nsaid"] = "recommended"
        plan["acetaminophen"] = "ask_first" if conditions & ACETAMINOPHEN_CAUTIONS else "recommended"
        if urgency in ("soon", "urgent"):
            professional = {"muscle_relaxant", "physical_therapy"}
            if "injury" not in found:
                professional.add("manual_therapy")
            if found & {"leg_numbness", "leg_tingling", "leg_weakness", "radiating_leg_pain"}:
                professional.add("corticosteroid_injection")
        prevention = {"posture", "ergonomic_workspace", "low_impact_exercise", "core_strengthening", "lifting_technique"}
    watch_for = [
        code for code in LEVEL if LEVEL[code] > level and code not in found and code != "cancer_history"
    ]
    asked = found | set(a.denied or ())
    to_ask = [code for code in RED_FLAGS if code not in asked]
    return {
        "urgency": urgency,
        "findings": found,
        "plan": plan,
        "professional": professional,
        "prevention": prevention,
        "watch_for": watch_for,
        "to_ask": to_ask,
    }

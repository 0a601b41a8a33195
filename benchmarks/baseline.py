"""CONTRACT.md's rules as one hand-written if-chain: the speed baseline and a test oracle.

It knows nothing of the knowledge base: it restates the contract's tables directly,
so a test can compare the data-driven engine against it on generated inputs.
"""

from __future__ import annotations

from typing import Any

from backspasm.contract import Assessment

LEVEL = {
    "bladder_bowel_control_loss": 3, "saddle_numbness": 3, "bilateral_leg_symptoms": 3, "chest_pain": 3,
    "leg_numbness": 2, "leg_tingling": 2, "leg_weakness": 2, "injury": 2, "fever": 2, "cancer_history": 2,
    "unexplained_weight_loss": 2,
    "severe_pain": 1, "not_improving": 1, "worsening": 1, "sleep_disturbed": 1, "daily_activities_limited": 1,
    "long_duration": 1,
}
NAMES = ("self_care", "soon", "urgent", "emergency")
NSAID_CAUTIONS = {"kidney_disease", "stomach_ulcer_or_bleeding", "blood_thinner", "pregnancy", "heart_disease", "nsaid_allergy"}
ACETAMINOPHEN_CAUTIONS = {"liver_disease", "heavy_alcohol_use"}


def baseline(a: Assessment) -> dict[str, Any]:
    """Urgency, findings, plan (code -> status), professional and prevention codes."""
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
        plan["nsaid"] = "ask_first" if (conditions & NSAID_CAUTIONS or old) else "recommended"
        plan["acetaminophen"] = "ask_first" if conditions & ACETAMINOPHEN_CAUTIONS else "recommended"
        if urgency in ("soon", "urgent"):
            professional = {"muscle_relaxant", "physical_therapy"}
            if "injury" not in found:
                professional.add("manual_therapy")
            if found & {"leg_numbness", "leg_tingling", "leg_weakness"}:
                professional.add("corticosteroid_injection")
        prevention = {"posture", "ergonomic_workspace", "low_impact_exercise", "core_strengthening", "lifting_technique"}
    return {
        "urgency": urgency,
        "findings": found,
        "plan": plan,
        "professional": professional,
        "prevention": prevention,
    }

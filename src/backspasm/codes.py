"""The codes of CONTRACT.md (v1.1): urgency levels, findings, conditions, plan items.

These tuples are the vocabulary every other module checks against; the knowledge
base must describe each of them exactly once (checked at load).
"""

from __future__ import annotations

from typing import Literal, get_args

UrgencyCode = Literal["self_care", "soon", "urgent", "emergency"]
URGENCY_LEVELS: tuple[UrgencyCode, ...] = get_args(UrgencyCode)
URGENCY_RANK: dict[str, int] = {level: i for i, level in enumerate(URGENCY_LEVELS)}

# Findings a person may list or deny: long_duration is derived from the clock only.
# Listed most urgent first; within a level, in the order the questions are asked.
ReportableFindingCode = Literal[
    "bladder_bowel_control_loss",
    "saddle_numbness",
    "bilateral_leg_symptoms",
    "major_trauma",
    "sexual_dysfunction",
    "chest_pain",
    "leg_numbness",
    "leg_tingling",
    "leg_weakness",
    "injury",
    "fever",
    "cancer_history",
    "unexplained_weight_loss",
    "thoracic_pain",
    "back_deformity",
    "rest_night_pain",
    "radiating_leg_pain",
    "cough_sneeze_pain",
    "severe_pain",
    "not_improving",
    "worsening",
    "sleep_disturbed",
    "daily_activities_limited",
]
FindingCode = Literal[ReportableFindingCode, "long_duration"]
FINDING_CODES: tuple[FindingCode, ...] = get_args(FindingCode)

DERIVED_ONLY_FINDINGS: frozenset[str] = frozenset({"long_duration"})

ConditionCode = Literal[
    "kidney_disease",
    "stomach_ulcer_or_bleeding",
    "blood_thinner",
    "pregnancy",
    "heart_disease",
    "nsaid_allergy",
    "liver_disease",
    "heavy_alcohol_use",
]
CONDITION_CODES: tuple[ConditionCode, ...] = get_args(ConditionCode)

PlanCode = Literal[
    "call_emergency",
    "see_doctor_today",
    "book_doctor_visit",
    "short_rest",
    "resume_activity",
    "gentle_movement",
    "avoid_aggravating_activities",
    "cold_therapy",
    "heat_therapy",
    "stretch_knee_to_chest",
    "stretch_pelvic_tilt",
    "nsaid",
    "acetaminophen",
]
PLAN_CODES: tuple[PlanCode, ...] = get_args(PlanCode)

ProfessionalCode = Literal["muscle_relaxant", "physical_therapy", "manual_therapy", "corticosteroid_injection"]
PROFESSIONAL_CODES: tuple[ProfessionalCode, ...] = get_args(ProfessionalCode)

PreventionCode = Literal[
    "posture", "ergonomic_workspace", "low_impact_exercise", "core_strengthening", "lifting_technique"
]
PREVENTION_CODES: tuple[PreventionCode, ...] = get_args(PreventionCode)

StatusCode = Literal["recommended", "ask_first", "avoid"]

# The wordings a result can be given in; codes, levels and rules are the same in each.
LocaleCode = Literal["en-US", "en-GB"]
LOCALES: tuple[LocaleCode, ...] = get_args(LocaleCode)
DEFAULT_LOCALE: LocaleCode = "en-US"

SourceRef = Literal[
    "article:immediate-self-care",
    "article:professional-treatment",
    "article:prevention",
    "article:when-to-consult",
    "guideline:nice-ng59",
    "guideline:acp-2017",
    "guideline:nhs-back-pain",
    "guideline:girft-ces-2023",
    "guideline:nice-cks-sciatica",
    "study:farrar-2001",
    "guideline:farrar-2001",  # v1 name of study:farrar-2001, kept so stored results still resolve
    "guideline:who-physical-activity-2020",
    "label:otc-nsaid",
    "label:otc-acetaminophen",
    "label:nhs-ibuprofen",
]
SOURCE_REFS: tuple[SourceRef, ...] = get_args(SourceRef)

# Red flags the legs can carry: the three one-leg codes, and the emergency code for both.
LEG_SYMPTOMS: frozenset[str] = frozenset({"leg_numbness", "leg_tingling", "leg_weakness"})

"""The code systems and canonical URLs the FHIR and CDS Hooks mappings speak.

Standard terminologies (LOINC, SNOMED CT, ICD-10-CM, RxNorm, the FHIR value sets)
where one fits; for the project's own vocabulary (urgency levels, findings,
conditions, plan items, sources), code systems under one base URL, served as FHIR
CodeSystem resources at /fhir/CodeSystem/{id} so a receiving system can look a
code up. Urgency levels have no standard value set, hence our own.
"""

from __future__ import annotations

from typing import Final

BASE: Final = "https://backspasm.example/fhir"
QUESTIONNAIRE_ID: Final = "backspasm-intake"
QUESTIONNAIRE_URL: Final = f"{BASE}/Questionnaire/{QUESTIONNAIRE_ID}"
STATUS_EXTENSION: Final = f"{BASE}/StructureDefinition/advice-status"

# Our own code systems: id -> (canonical URL, title)
CODE_SYSTEMS: Final[dict[str, tuple[str, str]]] = {
    "urgency": (f"{BASE}/CodeSystem/urgency", "backspasm urgency levels (lowest to highest)"),
    "finding": (f"{BASE}/CodeSystem/finding", "backspasm findings (CONTRACT.md finding codes)"),
    "condition": (f"{BASE}/CodeSystem/condition", "backspasm conditions that change pain-relief advice"),
    "plan": (f"{BASE}/CodeSystem/plan", "backspasm self-care plan items"),
    "professional": (f"{BASE}/CodeSystem/professional", "backspasm options a doctor may offer"),
    "prevention": (f"{BASE}/CodeSystem/prevention", "backspasm prevention advice"),
    "source": (f"{BASE}/CodeSystem/source", "The sources backspasm's rules cite"),
}
URGENCY_SYSTEM: Final = CODE_SYSTEMS["urgency"][0]
FINDING_SYSTEM: Final = CODE_SYSTEMS["finding"][0]
CONDITION_SYSTEM: Final = CODE_SYSTEMS["condition"][0]
PLAN_SYSTEM: Final = CODE_SYSTEMS["plan"][0]
PROFESSIONAL_SYSTEM: Final = CODE_SYSTEMS["professional"][0]
PREVENTION_SYSTEM: Final = CODE_SYSTEMS["prevention"][0]
SOURCE_SYSTEM: Final = CODE_SYSTEMS["source"][0]

LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10: Final = "http://hl7.org/fhir/sid/icd-10"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC: Final = "http://www.whocc.no/atc"
UCUM: Final = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION: Final = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

PAIN_LOINC: Final = "72514-3"
PAIN_DISPLAY: Final = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
AGE_LOINC: Final = "30525-0"
# A symptom onset and its duration have no single LOINC fit for "hours since"; the item keeps our own link id.

# FHIR R4 value sets the mappings check by hand (fhir.resources accepts any string for a code).
QR_STATUS: Final = frozenset({"in-progress", "completed", "amended", "entered-in-error", "stopped"})
OBSERVATION_STATUS: Final = frozenset(
    {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
)
OBSERVATION_VOID: Final = frozenset({"cancelled", "entered-in-error"})
CONDITION_ACTIVE: Final = frozenset({"active", "recurrence", "relapse"})
CONDITION_INACTIVE: Final = frozenset({"inactive", "remission", "resolved"})
CONDITION_VOID_VERIFICATION: Final = frozenset({"refuted", "entered-in-error"})
MEDICATION_STATEMENT_CURRENT: Final = frozenset({"active", "intended", "on-hold", "unknown"})
MEDICATION_REQUEST_CURRENT: Final = frozenset({"active", "on-hold", "draft", "unknown"})
ALLERGY_CLINICAL_INACTIVE: Final = frozenset({"inactive", "resolved"})
ALLERGY_VOID_VERIFICATION: Final = frozenset({"refuted", "entered-in-error"})
ALLERGY_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
XHTML: Final = "http://www.w3.org/1999/xhtml"

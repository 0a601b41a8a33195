"""Interop for clinics: the assessment as FHIR R4 resources and as a CDS Hooks 2.0 service.

- questionnaire: the intake as a Questionnaire; QuestionnaireResponse <-> Assessment
- bundle: a Result as Observation, RiskAssessment and CarePlan resources in a Bundle
- cds: the `backspasm-triage` patient-view service (prefetch -> Assessment -> cards)
- routes: the FastAPI router the web app mounts (/fhir/..., /cds-services/...)

Heavy modules (fhir.resources, FastAPI) load only when these submodules are used.
"""

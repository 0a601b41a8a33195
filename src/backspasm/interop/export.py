"""A diary episode as a FHIR Bundle, for `backspasm fhir export --episode ID`.

The episode becomes a back-pain Condition dated from its onset (closed episodes
are resolved), each pain rating (the first answers and every check-in) an
Observation coded LOINC 72514-3, and the episode's assessment as of now (with the
diary) the RiskAssessment and CarePlan that cite those ratings. The same record
read back by the CDS Hooks service gives the same triage.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .bundle import bundle, pain_observation, result_resources
from .fhir import instant, new_id
from .systems import CONDITION_CLINICAL, SNOMED

if TYPE_CHECKING:
    from ..diary.store import Store

SUBJECT = {"display": "backspasm diary keeper"}
BACKACHE = {"coding": [{"system": SNOMED, "code": "161891005", "display": "Backache"}], "text": "Back spasm episode"}


def episode_condition(onset: datetime, closed: datetime | None, subject: dict[str, Any]) -> dict[str, Any]:
    status = "resolved" if closed else "active"
    cond: dict[str, Any] = {
        "resourceType": "Condition",
        "id": new_id(),
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
        "code": BACKACHE,
        "subject": subject,
        "onsetDateTime": instant(onset),
    }
    if closed:
        cond["abatementDateTime"] = instant(closed)
    return cond


def episode_bundle(store: Store, user_id: int, episode_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The episode, its pain ratings and its latest assessment as one collection Bundle.

    Raises BadInput (from the store) for an episode the user does not have.
    """
    status = store.status(user_id, episode_id, now)
    episode = status.episode
    subject = SUBJECT
    resources: list[dict[str, Any]] = [episode_condition(episode.onset_at, episode.closed_at, subject)]
    first = pain_observation(int(episode.assessment["pain"]), subject, episode.started_at,
                             note="Pain when the episode was started")
    resources.append(first)
    for c in status.checkins:
        parts = [f"Diary check-in {c.id}"]
        if c.findings:
            parts.append("reported: " + ", ".join(c.findings))
        if c.note:
            parts.append(f"note: {c.note}")
        resources.append(pain_observation(c.pain, subject, c.at, note="; ".join(parts)))
    basis = [f"urn:uuid:{r['id']}" for r in resources]
    resources += result_resources(status.result, subject=subject, when=status.now, basis=basis)
    return bundle(resources, when=status.now)


__all__ = ["episode_bundle", "episode_condition"]

"""CDS Hooks cards, worded for the clinician who reads them.

The triage card says what the record shows and what each finding is a flag for, the
pain-relief advice with its cautions, the red flags the record does not cover (to ask
before relying on a low urgency), the safety-netting to give the patient, and what in
the record could not be understood. Every string that came from the record is escaped
before it enters the markdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..knowledge import load
from ..result import Result
from .bundle import plan_line, reason_sentence
from .fhir import new_id
from .narrative import action, md, reports, short_source
from .systems import URGENCY_SYSTEM

if TYPE_CHECKING:
    from .cds import Reading

INDICATOR = {"emergency": "critical", "urgent": "warning", "soon": "warning", "self_care": "info"}
SUMMARY_LIMIT = 139  # the spec: a summary under 140 characters
SERVICE_LABEL = "backspasm back-spasm triage"


def _summary(text: str) -> str:
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip(" ,;:-") + "…"


def _headline(reading: Reading, result: Result) -> str:
    head = f"Back pain: {'at least ' if reading.missing else ''}{action(result.urgency)}"
    names = [reports(r.code) for r in result.reasons]
    for i in range(len(names), 0, -1):
        more = f" +{len(names) - i} more" if i < len(names) else ""
        candidate = f"{head} ({', '.join(names[:i])}{more})"
        if len(candidate) <= SUMMARY_LIMIT:
            return candidate
    return _summary(head)


def _record_lines(reading: Reading) -> list[str]:
    kb = load()
    a, rec = reading.assessment, reading.record
    lines = []
    if reading.pain_ref:
        lines.append(f"- Pain {a.pain}/10 ({md(reading.pain_ref)})")
    if rec.onset:
        how = " (date recorded; onset not given)" if rec.onset[2] else ""
        lines.append(f"- Back pain since {rec.onset[0].date().isoformat()}, {reading.hours:g} h ago{how} ({md(rec.onset[1])})")
    if a.age is not None:
        lines.append(f"- Age {a.age}")
    for code, where in sorted(rec.findings.items()):
        lines.append(f"- {kb.findings[code].label} ({md(where)})")
    for code, where in sorted(rec.denied.items()):
        lines.append(f"- Recorded absent: {kb.findings[code].label} ({md(where)})")
    for code, where in sorted(rec.conditions.items()):
        lines.append(f"- {kb.conditions[code].label} ({md(where)})")
    if reading.unchecked:
        lines.append(f"- Not available, so not checked: {', '.join(reading.unchecked)}")
    return lines


def _safety_net(result: Result) -> list[str]:
    groups: dict[str, list[str]] = {}
    for item in result.watch_for:
        groups.setdefault(str(item.get("level")), []).append(str(item.get("sign") or item.title))
    return [f"- {action(level).capitalize()} if: {'; '.join(signs)}" for level, signs in groups.items()]


def triage_card(reading: Reading, result: Result, link: str | None, source_url: str | None) -> dict[str, Any]:
    kb = load()
    level = kb.levels[result.urgency]
    lines = [f"**{action(result.urgency).capitalize()}** ({level.label}{', at least' if reading.missing else ''})", ""]
    if reading.missing:
        lines += ["_Incomplete record: this is the least urgent reading the available data allows; "
                  "see the other card for what is missing._", ""]
    if result.reasons:
        lines.append("**Why**")
        lines += [f"- {reason_sentence(r, 'Record shows')}" for r in result.reasons]
        lines.append("")
    relief = [p for p in result.plan if p.code in ("nsaid", "acetaminophen")]
    if relief:
        lines.append("**Pain relief**")
        lines += [f"- {plan_line(p)}" for p in relief]
        lines.append("")
    if result.to_ask:
        lines.append("**Red flags the record does not cover** (ask before relying on this urgency): "
                     + "; ".join(reports(c) for c in result.to_ask))
        lines.append("")
    if result.watch_for:
        lines.append("**Safety-netting for the patient**")
        lines += _safety_net(result)
        lines.append("")
    lines.append("**From the record**")
    lines += _record_lines(reading)
    if reading.record.not_understood:
        lines += ["", "**Not understood** (read these yourself):"]
        lines += [f"- {md(x)}" for x in reading.record.not_understood]
    sources = sorted({item.ref for item in (*result.reasons, *result.plan)})
    lines += ["", "**Sources**: " + "; ".join(kb.sources[s].name for s in sources), "",
              "_Decision support from structured record data, not a diagnosis._"]
    primary = result.reasons[0].ref if result.reasons else result.plan[0].ref
    source: dict[str, Any] = {
        "label": kb.sources[primary].name,
        "topic": {"system": URGENCY_SYSTEM, "code": result.urgency, "display": level.label},
    }
    if source_url:
        source["url"] = source_url
    card: dict[str, Any] = {
        "uuid": new_id(),
        "summary": _headline(reading, result),
        "indicator": INDICATOR[result.urgency],
        "detail": "\n".join(lines),
        "source": source,
    }
    if link:
        card["links"] = [{"label": "Full back-spasm plan and patient advice", "url": link, "type": "absolute"}]
    return card


def missing_card(reading: Reading, source_url: str | None) -> dict[str, Any]:
    what = "; ".join(reading.missing)
    lines = ["The back-spasm triage needs more of the record to give a full answer:", ""]
    lines += [f"- {md(m)}" for m in reading.missing]
    lines += ["", "To complete it, record the pain on the 0-10 scale as an Observation (LOINC 72514-3 or 38208-5) and "
              "the back pain as a Condition with its onsetDateTime, then reopen the chart."]
    if reading.record.skipped:
        lines += ["", "Skipped:"] + [f"- {md(s)}" for s in reading.record.skipped]
    if reading.record.not_understood:
        lines += ["", "Not understood (read these yourself):"] + [f"- {md(s)}" for s in reading.record.not_understood]
    source: dict[str, Any] = {"label": SERVICE_LABEL}
    if source_url:
        source["url"] = source_url
    return {
        "uuid": new_id(),
        "summary": _summary(f"Back-spasm triage incomplete: {what}"),
        "indicator": "info",
        "detail": "\n".join(lines),
        "source": source,
    }


def short_sources(refs: list[str]) -> str:
    return "; ".join(short_source(r) for r in refs)


__all__ = ["INDICATOR", "SUMMARY_LIMIT", "missing_card", "triage_card"]

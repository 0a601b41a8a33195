"""What the report says, computed once from a diary Status; the HTML and the PDF only lay it out.

The first page is what a doctor reads in a minute: the urgency now and why, pain now
against the start, every red flag asked and how it was answered, what helped. The
timeline and the chart follow. Times are written in the reader's zone and locale; the
wording is the result's (the episode's own, or the one asked for). Sources appear as titles
with addresses, never raw refs; the safety net is grouped as on every other surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .. import clock
from ..codes import DEFAULT_LOCALE
from ..diary.store import TREATMENTS, Status
from ..knowledge import load
from ..present import readable_note, source_link, status_words, watch_groups
from ..result import Result

TREATMENT_NAMES = {
    "cold": "Cold pack",
    "heat": "Heat",
    "rest": "Rest",
    "stretches": "Stretches",
    "nsaid": "NSAID (ibuprofen, naproxen)",
    "acetaminophen": "Acetaminophen (paracetamol)",
}
HELPED_WORDS = {True: " (helped)", False: " (did not help)", None: ""}
DETAIL_LIMIT = 150  # check-ins shown one per row; a longer diary is shown one row per day


@dataclass(frozen=True, slots=True)
class Reader:
    """Who the report is for and how it is written: zone, locale, and the optional name and birth date typed at export."""

    zone: str = "UTC"
    locale: str = DEFAULT_LOCALE
    name: str | None = None
    birth_date: date | None = None
    back_url: str | None = None  # a link back to the diary, on the web


def _red_flags(st: Status, fmt: Any) -> list[dict[str, Any]]:
    """Every red flag (urgent or emergency, askable) and how it was answered over the episode."""
    kb = load(st.result.locale)
    ep = st.episode
    first_found = set(ep.result.get("findings", ()))
    denied = set(ep.assessment.get("denied") or ())
    unsure = set(ep.assessment.get("unsure") or ())
    reported: dict[str, Any] = {}
    gone_at: dict[str, Any] = {}
    for c in st.checkins:
        for code in c.findings:
            reported.setdefault(code, c)
            gone_at.pop(code, None)
        for code in c.gone:
            gone_at[code] = c
    present, held = set(st.present), set(st.held)
    rows = []
    for f in kb.findings.values():
        if f.level not in ("urgent", "emergency") or f.kind == "derived":
            continue
        if f.code in unsure and f.code in first_found:
            answer = "not sure at the start (counted as yes)"
        elif f.code in first_found:
            answer = "yes, at the start"
        elif f.code in reported:
            answer = f"yes, from {fmt(reported[f.code].at)} (hour {reported[f.code].hours_since_onset:.0f})"
        elif f.code in denied:
            answer = "no (asked at the start)"
        else:
            answer = "not asked"
        if f.code in held:
            answer += "; reported gone, held until a clinician's visit is recorded"
        elif f.code in gone_at:
            answer += f"; gone from {fmt(gone_at[f.code].at)}"
        elif f.code not in present and (f.code in first_found or f.code in reported) and st.visits:
            answer += "; seen by a clinician"
        rows.append({"code": f.code, "label": f.label, "level": kb.levels[f.level].label, "answer": answer,
                     "yes": answer.startswith("yes") and f.code in present})
    return rows


def _checkin_row(c: Any, when: Any, labels: dict[str, str], levels: Any) -> dict[str, Any]:
    parts = [*(f"new: {labels[f]}" for f in c.findings), *(f"gone: {labels[f]}" for f in c.gone)]
    return {
        "when": when(c.at), "hour": f"{c.hours_since_onset:.0f}", "pain": c.pain,
        "event": "Check-in" + (" (" + "; ".join(parts) + ")" if parts else ""),
        "tried": ", ".join(TREATMENT_NAMES[k].split(" (")[0].lower() + HELPED_WORDS[v] for k, v in c.tried.items()),
        "note": c.note or "", "urgency": levels[c.urgency].label, "code": c.urgency, "escalated": c.escalated, "at": c.at,
    }


def _daily_rows(st: Status, rd: Reader, labels: dict[str, str], levels: Any) -> list[dict[str, Any]]:
    """One row per day of the reader's calendar: a long diary told in a few pages."""
    days: dict[Any, list[Any]] = {}
    for c in st.checkins:
        days.setdefault(clock.local(c.at, rd.zone).date(), []).append(c)
    rows = []
    for group in days.values():
        first, last = group[0], group[-1]
        pains = [c.pain for c in group]
        new = dict.fromkeys(f for c in group for f in c.findings)
        gone = dict.fromkeys(f for c in group for f in c.gone)
        parts = [*(f"new: {labels[f]}" for f in new), *(f"gone: {labels[f]}" for f in gone)]
        tried: dict[str, list[int]] = {}
        for c in group:
            for k, v in c.tried.items():
                counts = tried.setdefault(k, [0, 0])
                counts[0] += 1
                counts[1] += v is True
        rows.append({
            "when": clock.day(first.at, rd.zone, rd.locale),
            "hour": f"{first.hours_since_onset:.0f}-{last.hours_since_onset:.0f}",
            "pain": f"{min(pains)}-{max(pains)}" if min(pains) != max(pains) else str(pains[0]),
            "event": f"{len(group)} check-ins" + (" (" + "; ".join(parts) + ")" if parts else ""),
            "tried": ", ".join(f"{TREATMENT_NAMES[k].split(' (')[0].lower()} (helped {h} of {n})" for k, (n, h) in tried.items()),
            "note": " / ".join(c.note for c in group if c.note),
            "urgency": levels[last.urgency].label, "code": last.urgency, "escalated": any(c.escalated for c in group),
            "at": first.at,
        })
    return rows


def report_context(st: Status, reader: Reader | None = None) -> dict[str, Any]:
    """Plain data for the templates: summary, timeline, red flags, treatments, chart points, sources."""
    rd = reader or Reader()
    kb = load(st.result.locale)
    ep = st.episode
    first = ep.assessment
    levels = kb.levels

    def day(dt: datetime) -> str:
        return clock.day_year(dt, rd.zone, rd.locale)

    def when(dt: datetime) -> str:
        return clock.when(dt, rd.zone, rd.locale)

    labels = {code: f.label.lower() for code, f in kb.findings.items()}
    timeline = [{
        "when": when(ep.started_at), "hour": f"{first['hours_since_onset']:.0f}", "pain": first["pain"],
        "event": "First assessment", "tried": "", "note": first.get("text") or "",
        "urgency": levels[ep.urgency].label, "code": ep.urgency, "escalated": False, "at": ep.started_at,
    }]
    treatments: dict[str, dict[str, int]] = {t: {"times": 0, "helped": 0, "not_helped": 0} for t in TREATMENTS}
    for c in st.checkins:
        for code, helped in c.tried.items():
            treatments[code]["times"] += 1
            if helped is True:
                treatments[code]["helped"] += 1
            elif helped is False:
                treatments[code]["not_helped"] += 1
    if len(st.checkins) <= DETAIL_LIMIT:
        timeline += [_checkin_row(c, when, labels, levels) for c in st.checkins]
    else:
        timeline += _daily_rows(st, rd, labels, levels)
    for v in st.visits:
        timeline.append({"when": when(v.at), "hour": f"{v.hours_since_onset:.0f}", "pain": "",
                         "event": "Seen by a clinician", "tried": "", "note": v.note or "", "urgency": "", "code": "",
                         "escalated": False, "at": v.at})
    timeline.sort(key=lambda row: row["at"])
    if ep.closed_at:
        timeline.append({"when": when(ep.closed_at), "hour": "", "pain": "", "event": "Episode closed", "tried": "",
                         "note": "", "urgency": "", "code": "", "escalated": False})
    points = sorted([(float(first["hours_since_onset"]), int(first["pain"])), *((c.hours_since_onset, c.pain)
                                                                                  for c in st.checkins)])
    pains = [p for _, p in points]
    last = st.checkins[-1] if st.checkins else None
    r = st.result
    tried_rows: list[dict[str, Any]] = [{"name": TREATMENT_NAMES[t], **v} for t, v in treatments.items() if v["times"]]
    return {
        "episode_id": ep.id,
        "title": f"began {day(ep.onset_at)}, recorded {day(ep.started_at)}",
        "onset": day(ep.onset_at),
        "started": day(ep.started_at),
        "closed": day(ep.closed_at) if ep.closed_at else None,
        "generated": when(st.now),
        "zone": rd.zone,
        "hours": f"{st.hours_since_onset:.0f}",
        "name": rd.name,
        "birth_date": clock.date_only(rd.birth_date, rd.locale) if rd.birth_date else None,
        "back_url": rd.back_url,
        "age": first.get("age"),
        "conditions": [kb.conditions[c].label for c in r.conditions],
        "urgency": {"code": r.urgency, "label": levels[r.urgency].label, "headline": r.headline},
        "start_urgency": levels[ep.urgency].label,
        "reasons": [{"label": x.title, "text": x.text, "source": _source(x.ref, x.note)} for x in r.reasons],
        "safety_net": [{"level": g.level, "heading": g.heading, "signs": [str(s.get("sign")) for s in g.signs]}
                       for g in watch_groups(r)],
        "pain_start": {"pain": first["pain"], "when": day(ep.started_at), "hour": f"{first['hours_since_onset']:.0f}"},
        "pain_now": {"pain": last.pain if last else first["pain"], "when": day(last.at if last else ep.started_at),
                     "hour": f"{(last.hours_since_onset if last else first['hours_since_onset']):.0f}"},
        "pain_low": min(pains),
        "pain_high": max(pains),
        "ratings": len(pains),
        "advice": st.advice,
        "visits": [{"when": when(v.at), "note": v.note or ""} for v in st.visits],
        "held": [kb.findings[c].label for c in st.held],
        "plan": [{"title": p.title, "status": p.get("status"), "status_words": status_words(p.get("status"), r.locale),
                  "cautions": list(p.get("cautions") or ()), "source": _source(p.ref)} for p in r.plan],
        "timeline": timeline,
        "timeline_by_day": len(st.checkins) > DETAIL_LIMIT,
        "checkins": len(st.checkins),
        "red_flags": _red_flags(st, day),
        "treatments": tried_rows,
        "helped_most": [t["name"] for t in tried_rows if t["helped"] and t["helped"] >= t["not_helped"]],
        "points": points,
        "pains": pains,
        "escalations": len(st.escalations),
        "disclaimer": r.disclaimer,
        "sources": _cited_sources(r, [c.ref for c in st.changes]),
    }


def _source(ref: str, note: str | None = None) -> dict[str, Any]:
    link = source_link(ref)
    return {"name": link.name, "url": link.url, "note": readable_note(note) if note else None}


def _cited_sources(r: Result, more: list[str]) -> list[dict[str, Any]]:
    """Every source the reasons, plan, options, safety net and changes cite: name, address, one-line citation."""
    refs = [*(x.ref for x in (*r.reasons, *r.plan, *r.professional, *r.watch_for)), *more]
    links = {source_link(ref) for ref in refs}
    return [{"name": s.name, "url": s.url, "citation": s.citation} for s in sorted(links, key=lambda s: s.name)]

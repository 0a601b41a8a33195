"""What the report says, computed once from a diary Status; the HTML and PDF only lay it out.

Sources appear as titles with addresses (never raw refs); the safety net is grouped as on
every other surface; the red-flag table lists every finding that sets urgent or emergency.
"""

from __future__ import annotations

from typing import Any

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


def _fmt(dt: Any) -> str:
    return str(dt.strftime("%Y-%m-%d %H:%M UTC"))


def _source(ref: str, note: str | None = None) -> dict[str, Any]:
    link = source_link(ref)
    return {"name": link.name, "url": link.url, "note": readable_note(note) if note else None}


def report_context(st: Status) -> dict[str, Any]:
    """Plain data for the templates: header, urgency with reasons, safety net, timeline, red flags, treatments."""
    kb = load(st.result.locale)
    ep = st.episode
    first = ep.assessment
    levels = kb.levels
    first_found = set(ep.result.get("findings", ()))
    reported_later = {f: c for c in st.checkins for f in c.findings}
    denied = set(first.get("denied") or ())
    red_flags = []
    for f in kb.findings.values():
        if f.level not in ("urgent", "emergency") or f.kind == "derived":
            continue
        if f.code in first_found:
            answer = "yes, at the start"
        elif f.code in reported_later:
            answer = f"yes, from hour {reported_later[f.code].hours_since_onset:.0f}"
        elif f.code in denied:
            answer = "no"
        else:
            answer = "not asked"
        red_flags.append({"code": f.code, "label": f.label, "level": levels[f.level].label, "answer": answer})
    timeline = [
        {
            "when": _fmt(ep.started_at),
            "hour": f"{first['hours_since_onset']:.0f}",
            "pain": first["pain"],
            "event": "Episode started (first assessment)",
            "tried": "",
            "note": first.get("text") or "",
            "urgency": levels[ep.urgency].label,
            "escalated": False,
        }
    ]
    treatments: dict[str, dict[str, int]] = {t: {"times": 0, "helped": 0, "not_helped": 0} for t in TREATMENTS}
    for c in st.checkins:
        for code, helped in c.tried.items():
            treatments[code]["times"] += 1
            if helped is True:
                treatments[code]["helped"] += 1
            elif helped is False:
                treatments[code]["not_helped"] += 1
        tried = ", ".join(
            f"{TREATMENT_NAMES[k].split(' (')[0].lower()}" + {True: " (helped)", False: " (did not help)", None: ""}[v]
            for k, v in c.tried.items()
        )
        timeline.append(
            {
                "when": _fmt(c.at),
                "hour": f"{c.hours_since_onset:.0f}",
                "pain": c.pain,
                "event": "Check-in" + (": " + ", ".join(kb.findings[f].label.lower() for f in c.findings) if c.findings else ""),
                "tried": tried,
                "note": c.note or "",
                "urgency": levels[c.urgency].label,
                "escalated": c.escalated,
            }
        )
    if ep.closed_at:
        timeline.append(
            {
                "when": _fmt(ep.closed_at),
                "hour": "",
                "pain": "",
                "event": "Episode closed",
                "tried": "",
                "note": "",
                "urgency": "",
                "escalated": False,
            }
        )
    points = [(float(first["hours_since_onset"]), int(first["pain"]))] + [(c.hours_since_onset, c.pain) for c in st.checkins]
    r = st.result
    return {
        "episode_id": ep.id,
        "generated": _fmt(st.now),
        "started": _fmt(ep.started_at),
        "onset": _fmt(ep.onset_at),
        "closed": _fmt(ep.closed_at) if ep.closed_at else None,
        "hours": f"{st.hours_since_onset:.0f}",
        "age": first.get("age"),
        "conditions": [kb.conditions[c].label for c in r.conditions],
        "urgency": {"code": r.urgency, "label": levels[r.urgency].label, "headline": r.headline},
        "reasons": [{"label": x.title, "text": x.text, "source": _source(x.ref, x.note)} for x in r.reasons],
        "plan": [{"title": p.title, "status": p.get("status"), "status_words": status_words(p.get("status"), r.locale),
                  "cautions": list(p.get("cautions") or ()), "source": _source(p.ref)} for p in r.plan],
        "safety_net": [{"level": g.level, "heading": g.heading, "signs": [str(s.get("sign")) for s in g.signs]}
                       for g in watch_groups(r)],
        "timeline": timeline,
        "red_flags": red_flags,
        "treatments": [{"name": TREATMENT_NAMES[t], **v} for t, v in treatments.items() if v["times"]],
        "points": points,
        "pains": [p for _, p in points],
        "escalations": len(st.escalations),
        "disclaimer": r.disclaimer,
        "sources": _cited_sources(r),
    }


def _cited_sources(r: Result) -> list[dict[str, Any]]:
    """Every source the report's reasons, plan, options and safety net cite: name, address, one-line citation."""
    links = {source_link(x.ref) for x in (*r.reasons, *r.plan, *r.professional, *r.watch_for)}
    return [{"name": s.name, "url": s.url, "citation": s.citation} for s in sorted(links, key=lambda s: s.name)]

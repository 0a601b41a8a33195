"""Tables for docs/*.md, generated from the knowledge base so the documents cannot drift from the rules.

The documents call these from cog blocks; `make docs` rewrites them and a test runs
`cog --check`, so a rule changed in the knowledge base without its document fails the suite.

    .venv/bin/cog -r -I scripts docs/contract.md docs/clinical-basis.md
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from backspasm.codes import LOCALES, URGENCY_RANK
from backspasm.contract import Assessment
from backspasm.knowledge import load
from backspasm.knowledge.schema import AskFirstWhen, AvoidWhen, When
from backspasm.present import readable_note


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (a blank line before and after, so it stands on its own)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n" + "\n".join(lines) + "\n\n"


def source(ref: str, note: str | None = None) -> str:
    """A source as a reader sees it: its title linked to its address, then the note."""
    src = load().source(ref)
    name = f"[{src.name}]({src.url})" if src.url else src.name
    return name + (f" ({readable_note(note)})" if note else "")


def _sets(level: str, from_hour: float | None) -> str:
    return f"`{level}` from hour {from_hour:g} (before: counts, sets `self_care`)" if from_hour else f"`{level}`"


def input_fields() -> str:
    """Every field of the input object, with its description from the model (which validates it)."""
    rows = []
    for name, field in Assessment.model_fields.items():
        rows.append((f"`{name}`", "yes" if field.is_required() else "no", field.description or ""))
    return table(("field", "required", "meaning"), rows)


def levels() -> str:
    kb = load()
    return table(
        ("level", "label", "headline", "safety-net group opens with"),
        ((f"`{lv.code}`", lv.label, lv.headline, lv.watch_heading or "(no group: nothing is below it)")
         for lv in kb.levels.values()),
    )


def findings() -> str:
    """Finding codes for the contract: the level each sets, the question, the safety-net clause."""
    kb = load()
    rows = []
    for f in kb.findings.values():
        watch = f.watch if f.arises_during_episode else "(never: it cannot arise during an episode)"
        asked = f.question if f.kind != "derived" else f"derived only: {f.text}"
        rows.append((f"`{f.code}`", _sets(f.level, f.persistent_from_hour), f.kind, asked, watch))
    return table(("code", "sets", "from", "what it means (as the question asks it)", "safety net: ... if"), rows)


def finding_sources() -> str:
    """Each finding's source, the pointer into it, and where the rule departs from it."""
    kb = load()
    return table(
        ("code", "sets", "source", "where this rule departs from it"),
        ((f"`{f.code}`", _sets(f.level, f.persistent_from_hour), source(f.source.ref, f.source.note), f.deviation or "")
         for f in kb.findings.values()),
    )


def conditions() -> str:
    kb = load()
    return table(
        ("code", "what it is", "caution shown", "source"),
        ((f"`{c.code}`", c.label, c.caution, source(c.source.ref, c.source.note)) for c in kb.conditions.values()),
    )


def _when(when: When, avoid: AvoidWhen | None = None, ask: AskFirstWhen | None = None) -> str:
    out = when.describe()
    if avoid is not None:
        out += "; **avoid** with " + ", ".join(f"`{c}`" for c in avoid.conditions_any)
    if ask is not None:
        parts = [f"`{c}`" for c in ask.conditions_any] + ([f"age {ask.age_at_least} or over"] if ask.age_at_least else [])
        out += "; **ask_first** with " + ", ".join(parts)
    return out


def plan() -> str:
    kb = load()
    return table(
        ("code", "in the plan when", "source"),
        ((f"`{r.code}`", _when(r.when, r.avoid_when, r.ask_first_when), source(r.source.ref, r.source.note))
         for r in kb.plan),
    )


def options(part: str) -> str:
    """Professional options or prevention items, with when and their source."""
    kb = load()
    rules = kb.professional if part == "professional" else kb.prevention
    return table(("code", "offered when", "source"),
                 ((f"`{r.code}`", r.when.describe(), source(r.source.ref, r.source.note)) for r in rules))


def schedule() -> str:
    kb = load()
    return table(
        ("from hour", "when", "step", "source"),
        ((f"{r.at_hour:g}", r.when.describe(), r.text, source(r.source.ref, r.source.note)) for r in kb.schedule),
    )


def sources() -> str:
    """Every source record: its ref (what results cite), kind, title, publisher, address, version, section."""
    kb = load()
    rows = []
    for s in kb.sources.values():
        where = f"[{s.url}]({s.url})" if s.url else "(no address recorded)"
        section = s.section or ""
        if s.superseded_by:
            section = f"earlier name of `{s.superseded_by}`, kept so stored results still resolve"
        rows.append((f"`{s.ref}`", s.kind, s.title, s.publisher, where, s.read, section))
    return table(("ref", "kind", "title", "publisher", "address", "read", "section"), rows)


def red_flags() -> str:
    """The codes `to_ask` can name: not derived, and setting urgent or emergency; most urgent first."""
    from backspasm.safetynet import red_flags as flags

    kb = load()
    return ", ".join(f"`{c}` ({kb.findings[c].level})" for c in flags()) + "\n"


def locales() -> str:
    return ", ".join(f"`{tag}`" for tag in LOCALES) + "\n"


def ranks() -> str:
    return " < ".join(f"`{lv}`" for lv in sorted(URGENCY_RANK, key=URGENCY_RANK.__getitem__)) + "\n"


def derived_rules() -> str:
    """How the numbers alone set findings, from the constants the engine uses."""
    from backspasm import findings as f

    return table(
        ("finding", "present when"),
        (
            ("`severe_pain`", f"`pain` >= {f.SEVERE_PAIN} (also when listed, or a score of that size in `text`)"),
            ("`long_duration`", f"`hours_since_onset` >= {f.LONG_DURATION_HOURS} (six weeks); derived only"),
            ("`not_improving`", f"a diary exists, `hours_since_onset` >= {f.NOT_IMPROVING_AFTER_HOURS}, and `pain` > "
                                f"(pain of the earliest diary entry - {f.MEANINGFUL_CHANGE}); or listed"),
            ("`worsening`", f"a diary exists and `pain` >= (lowest diary pain + {f.MEANINGFUL_CHANGE}); or listed"),
        ),
    )


def limits() -> str:
    from backspasm.contract import MAX_HOURS, MAX_TEXT

    return table(
        ("value", "allowed"),
        (
            ("`hours_since_onset` (also each diary entry's)", f"a number from 0 to {MAX_HOURS:,} (a year)"),
            ("`pain` (also each diary entry's)", "a whole number from 0 to 10"),
            ("`age`", "a whole number from 0 to 120"),
            ("`text`", f"a string of at most {MAX_TEXT:,} characters"),
            ("`locale`", "one of " + ", ".join(LOCALES) + " (any case; `_` or `-`)"),
        ),
    )

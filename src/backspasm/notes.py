"""Notes on how answers were counted: what the person was unsure of, and where words and answers disagree.

Each note names the finding and which reading counted; the counted one is always the one
that raises urgency (CONTRACT.md: presence wins). Notes depend on the exact input, so
they are made per assessment, outside the cached decision.
"""

from __future__ import annotations

from . import i18n
from .codes import FINDING_CODES
from .contract import Assessment
from .knowledge import load
from .present import N_
from .result import Note
from .text.reading import Reading

_TEXTS = {
    "unsure": N_("You were not sure about this, so it counts as present: when in doubt, the safer reading is taken."),
    "text_over_answer": N_(
        "You answered no to this, but your description mentions it. The description counted, as the safer reading."
    ),
    "answer_over_text": N_(
        "Your description seems to rule this out, but you answered yes. Your answer counted, as the safer reading."
    ),
}


def notes(a: Assessment, reading: Reading, from_text: frozenset[str], locale: str) -> tuple[Note, ...]:
    """The notes for one assessment, in the contract's order of finding codes."""
    if not (a.denied or a.unsure or (a.findings and reading.ruled_out)):
        return ()  # nothing denied, doubted or contradicted: the usual case, decided without building sets
    listed = set(a.findings or ())
    denied = set(a.denied or ())
    unsure = set(a.unsure or ()) - listed
    text_over = denied & (set(reading.findings) | from_text)
    answer_over = listed & reading.ruled_out
    if not (unsure or text_over or answer_over):
        return ()
    kb = load(locale)
    out = []
    for code in FINDING_CODES:
        for kind, codes in (("unsure", unsure), ("text_over_answer", text_over), ("answer_over_text", answer_over)):
            if code in codes:
                out.append(Note(code, kind, kb.findings[code].label, i18n.gettext(locale, _TEXTS[kind])))
    return tuple(out)

"""When a strengthening program is offered: one rule for the CLI, the web pages and the API.

No program while a doctor's visit is pending, that is from urgency `soon` ("book a doctor's
visit") upwards (`withhold_from` in program.yaml, with its source). The person is told why,
that the gentle movement of their plan still applies where the plan has it, and to come back
after the visit. Every surface asks `program_withheld` and shows what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import i18n
from ..codes import DEFAULT_LOCALE, URGENCY_RANK
from ..knowledge.schema import Citation
from .library import PreventionData, load

# The plan items (knowledge/plan.yaml) that keep going while the program waits, where the plan has them.
STILL_APPLIES = ("gentle_movement",)


@dataclass(frozen=True)
class PlanStep:
    """A plan item that still applies while the program waits, as the knowledge base words it."""

    code: str
    title: str
    text: str
    source: Citation

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "text": self.text,
                "source": self.source.model_dump(exclude_none=True)}


@dataclass(frozen=True)
class Withheld:
    """Why there is no program for now, what still applies, and when to come back."""

    code: str
    urgency: str
    title: str
    text: str
    come_back: str
    source: Citation
    still_applies: tuple[PlanStep, ...]

    def sentence(self) -> str:
        """The whole reason in one paragraph (the program's note)."""
        return f"{self.text} {self.come_back}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "urgency": self.urgency,
            "title": self.title,
            "text": self.text,
            "come_back": self.come_back,
            "source": self.source.model_dump(exclude_none=True),
            "still_applies": [p.as_dict() for p in self.still_applies],
        }


def withholds(urgency: str | None, data: PreventionData | None = None) -> bool:
    """Whether an episode of this urgency (or none) withholds the program: a doctor's visit pending,
    `soon` and above."""
    s = (data or load()).settings
    return urgency is not None and URGENCY_RANK[urgency] >= URGENCY_RANK[s.withhold_from]


def program_withheld(
    urgency: str | None, locale: str = DEFAULT_LOCALE, data: PreventionData | None = None
) -> Withheld | None:
    """None when a strengthening program may be offered for an episode of this urgency (or none);
    otherwise why not, in words."""
    if not withholds(urgency, data):
        return None
    assert urgency is not None
    s = (data or load()).settings
    from ..knowledge import load as load_knowledge

    kb = load_knowledge(locale)
    _ = i18n.translations(locale).gettext
    headline = kb.levels[urgency].headline
    still = tuple(
        PlanStep(rule.code, rule.title, rule.text, rule.source)
        for rule in kb.plan
        if rule.code in STILL_APPLIES and rule.when.urgency_in is not None and urgency in rule.when.urgency_in
    )
    if still:
        text = _("{headline} Strengthening exercise waits until a doctor has seen your back; until the visit, "
                 "the gentle movement in your plan still applies.").format(headline=headline)
        come_back = _("After the visit, come back for your program, or follow the exercises your doctor or "
                      "physical therapist gives you.")
    else:
        text = _("{headline} A doctor needs to see your back before any exercise program.").format(headline=headline)
        come_back = _("Once a doctor has seen you and says you may exercise, come back for your program.")
    return Withheld("needs_doctor_first", urgency, _("No exercise program for now"), text, come_back,
                    s.withhold_source, still)


__all__ = ["STILL_APPLIES", "PlanStep", "Withheld", "program_withheld", "withholds"]

"""Loading the prevention data (exercises, checklists, program settings, figures), checked once.

Everything goes through the knowledge base's `read_yaml` and `parse_entries`, so a
bad entry fails at load with the file and the entry named, like the rest of the
knowledge.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import ValidationError

from ..knowledge import KnowledgeError, parse_entries, read_yaml
from .schema import LIMIT_CODES, Checklist, Exercise, Library, Limit, ProgramSettings, StopSign

PACKAGE = __package__ or "backspasm.prevent"
SVG_NS = "{http://www.w3.org/2000/svg}"
MIN_FIGURE_WIDTH = 480  # figures are drawn at least this wide and scaled down to the screen, never up
REQUIRED_EXERCISES = (
    "knee_to_chest",
    "pelvic_tilt",
    "plank",
    "bird_dog",
    "gentle_crunch",
    "walking",
    "swimming",
    "cycling",
)
REQUIRED_CHECKLISTS = ("workspace", "lifting")


@dataclass(frozen=True)
class PreventionData:
    """The loaded library: exercises by code (in file order), checklists, limits, settings."""

    exercises: dict[str, Exercise]
    figures: dict[str, str]
    stop_signs: tuple[StopSign, ...]
    limits: dict[str, Limit]
    checklists: dict[str, Checklist]
    settings: ProgramSettings

    def of_kind(self, kind: str) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.kind == kind]

    def citations(self) -> list[tuple[str, str, str]]:
        """(section, code, ref) of every item, for the 'everything has a source' checks."""
        rows: list[tuple[str, str, str]] = [("exercise", e.code, e.source.ref) for e in self.exercises.values()]
        rows += [("stop_sign", f"#{i}", s.source.ref) for i, s in enumerate(self.stop_signs)]
        rows += [("limit", lim.code, lim.source.ref) for lim in self.limits.values()]
        for c in self.checklists.values():
            rows.append(("checklist", c.code, c.source.ref))
            rows += [("checklist_item", f"{c.code}.{i.code}", i.source.ref) for i in c.items]
        s = self.settings
        rows += [("program", "resume_after_hours", s.resume_source.ref)]
        rows += [("program", "withhold_from", s.withhold_source.ref)]
        rows += [("program", "target_minutes", s.target_source.ref)]
        rows += [("program", "weekly_increase_minutes", s.increase_source.ref)]
        rows += [("program", "core_days", s.core_source.ref), ("program", "stretch_days", s.stretch_source.ref)]
        rows += [("tip", t.code, t.source.ref) for t in s.tips]
        return rows


def check_svg(name: str, text: str) -> None:
    """A figure must be our own simple SVG: viewBox, a title, no scripts, no external links; and readable: an
    image role named by its title and described by its <desc> (the pose in words), at least 480 units wide."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise KnowledgeError(f"figures/{name}: not well-formed SVG: {e}") from None
    if root.tag != f"{SVG_NS}svg":
        raise KnowledgeError(f"figures/{name}: the root element is not an SVG <svg>")
    if not root.get("viewBox"):
        raise KnowledgeError(f"figures/{name}: has no viewBox")
    title = root.find(f"{SVG_NS}title")
    if title is None or not (title.text or "").strip():
        raise KnowledgeError(f"figures/{name}: has no <title>")
    for el in root.iter():
        local = el.tag.removeprefix(SVG_NS)
        if local in ("script", "image", "foreignObject", "use"):
            raise KnowledgeError(f"figures/{name}: <{local}> is not allowed in a figure")
        if any(k.endswith("href") or k.startswith("on") for k in el.attrib):
            raise KnowledgeError(f"figures/{name}: links and event handlers are not allowed")
    desc = root.find(f"{SVG_NS}desc")
    if desc is None or not (desc.text or "").strip():
        raise KnowledgeError(f"figures/{name}: has no <desc> saying what the picture shows")
    labels = (root.get("aria-labelledby") or "").split()
    if root.get("role") != "img" or labels != [title.get("id"), desc.get("id")] or None in labels:
        raise KnowledgeError(f"figures/{name}: needs role=\"img\" and aria-labelledby naming the <title> and <desc> ids")
    try:
        width = float(root.get("viewBox", "").split()[2])
        drawn = float(root.get("width", width))
    except (IndexError, ValueError):
        raise KnowledgeError(f"figures/{name}: the viewBox is not four numbers") from None
    if min(width, drawn) < MIN_FIGURE_WIDTH:
        raise KnowledgeError(f"figures/{name}: narrower than {MIN_FIGURE_WIDTH} (too small to read)")


def _read_figure(name: str) -> str:
    try:
        text = resources.files(PACKAGE).joinpath("figures").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(f"figures/{name}: figure file is missing") from None
    check_svg(name, text)
    return text.strip()


def _missing(name: str, have: list[str], expected: tuple[str, ...]) -> None:
    dupes = sorted({c for c in have if have.count(c) > 1})
    if dupes:
        raise KnowledgeError(f"{name}: '{dupes[0]}' is described more than once")
    missing = [c for c in expected if c not in have]
    if missing:
        raise KnowledgeError(f"{name}: no entry for {', '.join(missing)}")


def parse_library(raw: object) -> tuple[Library, tuple[Exercise, ...]]:
    """Validate the decoded exercises.yaml: the top level, then each exercise by name."""
    if not isinstance(raw, dict):
        raise KnowledgeError("exercises.yaml: expected a mapping with stop_signs, limits and exercises")
    try:
        lib = Library.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        raise KnowledgeError(f"exercises.yaml: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    exercises = parse_entries("exercises.yaml", Exercise, lib.exercises)
    _missing("exercises.yaml", [e.code for e in exercises], REQUIRED_EXERCISES)
    _missing("exercises.yaml limits", [lim.code for lim in lib.limits], LIMIT_CODES)
    return lib, exercises


@cache
def load() -> PreventionData:
    """Load and check every prevention file and figure (once per process)."""
    lib, exercises = parse_library(read_yaml("exercises.yaml", PACKAGE))
    checklists = parse_entries("checklists.yaml", Checklist, read_yaml("checklists.yaml", PACKAGE))
    _missing("checklists.yaml", [c.code for c in checklists], REQUIRED_CHECKLISTS)
    try:
        settings = ProgramSettings.model_validate(read_yaml("program.yaml", PACKAGE))
    except ValidationError as e:
        err = e.errors()[0]
        raise KnowledgeError(f"program.yaml: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    figures = {e.code: _read_figure(e.figure) for e in exercises}
    return PreventionData(
        exercises={e.code: e for e in exercises},
        figures=figures,
        stop_signs=lib.stop_signs,
        limits={lim.code: lim for lim in lib.limits},
        checklists={c.code: c for c in checklists},
        settings=settings,
    )


def find_exercise(code: str) -> Exercise | None:
    """An exercise by code; 'bird-dog' and 'Bird_Dog' find 'bird_dog'."""
    return load().exercises.get(code.strip().lower().replace("-", "_").replace(" ", "_"))

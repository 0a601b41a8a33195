"""The exercise library, checklists and program settings are data, checked at load."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from backspasm.codes import SOURCE_REFS
from backspasm.knowledge import KnowledgeError, read_yaml
from backspasm.prevent.library import REQUIRED_EXERCISES, check_svg, find_exercise, load, parse_library

PATHWAY_REFS = set(SOURCE_REFS)
RAW = read_yaml("exercises.yaml", "backspasm.prevent")


def test_every_required_exercise_is_in_the_library() -> None:
    assert set(REQUIRED_EXERCISES) <= set(load().exercises)


@pytest.mark.parametrize("section,code,ref", load().citations())
def test_every_item_cites_a_pathway_source(section: str, code: str, ref: str) -> None:
    assert ref in PATHWAY_REFS, f"{section} {code} cites {ref}"


def test_the_weekly_minutes_figure_cites_the_who_guideline() -> None:
    s = load().settings
    assert s.target_minutes == 150
    assert s.target_source.ref == "guideline:who-physical-activity-2020"


@pytest.mark.parametrize("code", REQUIRED_EXERCISES)
def test_each_exercise_has_instructions_a_dose_variations_and_a_stop_rule(code: str) -> None:
    ex = load().exercises[code]
    assert len(ex.steps) >= 2 and ex.purpose and ex.easier and ex.harder and ex.stop_if
    assert ex.dose.describe()


@pytest.mark.parametrize("code", REQUIRED_EXERCISES)
def test_each_exercise_has_its_own_titled_svg_figure(code: str) -> None:
    svg = load().figures[code]
    assert svg.startswith("<svg") and 'viewBox="' in svg
    assert re.search(r"<title[^>]*>[^<]+</title>", svg)
    assert f'id="fig-{code}-title"' in svg  # unique ids, so several figures can share a page


def test_the_stop_signs_send_leg_pain_and_numbness_to_a_doctor() -> None:
    text = " ".join(s.text.lower() for s in load().stop_signs)
    assert "leg" in text and "numbness" in text and "doctor" in text


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda d: d["exercises"][0].update(colour="red"), "entry 0 (knee_to_chest): colour"),
        (lambda d: d["exercises"][2]["source"].update(ref="article:nowhere"), "entry 2 (plank): source.ref"),
        (lambda d: d["exercises"][2].update(stop_if=[]), "entry 2 (plank): stop_if"),
        (lambda d: d["exercises"][5].update(dose={"sets": 2, "reps": 3}), "entry 5 (walking)"),
        (lambda d: d["exercises"][2].update(dose_week6={"sets": 3, "hold_seconds": 5}), "entry 2 (plank)"),
        (lambda d: d["exercises"].pop(3), "no entry for bird_dog"),
        (lambda d: d["exercises"].append(copy.deepcopy(d["exercises"][0])), "'knee_to_chest' is described more than once"),
        (lambda d: d.update(extra=1), "exercises.yaml: extra"),
        (lambda d: d["limits"].pop(0), "no entry for wrist_or_shoulder_pain"),
    ],
)
def test_bad_library_data_fails_at_load_naming_the_entry(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        parse_library(data)


OPEN = "<svg xmlns='http://www.w3.org/2000/svg'"


@pytest.mark.parametrize(
    "svg,message",
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>', "no viewBox"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>', "no <title>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>x</title><script>1</script></svg>', "<script>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>x</title><rect onclick="x"/></svg>', "event"),
        ("<svg", "not well-formed"),
        (f"{OPEN} viewBox='0 0 480 200'><title id='t'>x</title></svg>", "no <desc>"),
        (f"{OPEN} viewBox='0 0 480 200'><title id='t'>x</title><desc id='d'>y</desc></svg>", 'role="img"'),
        (f"{OPEN} viewBox='0 0 480 200' role='img' aria-labelledby='t'><title id='t'>x</title><desc id='d'>y</desc></svg>",
         "aria-labelledby"),
        (f"{OPEN} viewBox='0 0 200 120' role='img' aria-labelledby='t d'><title id='t'>x</title><desc id='d'>y</desc></svg>",
         "narrower than 480"),
        (f"{OPEN} viewBox='0 0 480 240' width='200' role='img' aria-labelledby='t d'><title id='t'>x</title>"
         "<desc id='d'>y</desc></svg>", "narrower than 480"),
        ('<html xmlns="http://www.w3.org/2000/svg"/>', "not an SVG"),
    ],
)
def test_a_figure_must_be_a_plain_titled_described_svg_at_least_480_wide(svg: str, message: str) -> None:
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        check_svg("bad.svg", svg)


@pytest.mark.parametrize("name", ["bird-dog", "Bird_Dog", " bird dog "])
def test_exercise_codes_are_found_however_they_are_typed(name: str) -> None:
    found = find_exercise(name)
    assert found is not None and found.code == "bird_dog"


def test_package_data_ships_the_yaml_and_the_figures() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"prevent/*.yaml"' in pyproject and '"prevent/figures/*.svg"' in pyproject

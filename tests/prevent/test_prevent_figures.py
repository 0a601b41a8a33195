"""The exercise figures, checked against their own steps: big enough to read, described in words, and
drawn in the pose the steps describe (the parts a check needs are marked with data-part)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from backspasm.prevent.library import MIN_FIGURE_WIDTH, REQUIRED_EXERCISES, load

NS = "{http://www.w3.org/2000/svg}"
Point = tuple[float, float]


class Figure:
    """A figure's drawn parts by name: polylines as point lists, circles as (centre, radius)."""

    def __init__(self, code: str):
        self.root = ET.fromstring(load().figures[code])
        self.lines: dict[str, list[Point]] = {}
        self.circles: dict[str, tuple[Point, float]] = {}
        self.floor: float | None = None
        for el in self.root.iter():
            part = el.get("data-part")
            tag = el.tag.removeprefix(NS)
            if part is None:
                continue
            if tag == "polyline":
                self.lines[part] = [(float(x), float(y)) for x, y in (p.split(",") for p in el.get("points", "").split())]
            elif tag == "circle":
                self.circles[part] = ((float(el.get("cx", 0)), float(el.get("cy", 0))), float(el.get("r", 0)))
            elif tag == "line" and part == "floor":
                self.floor = float(el.get("y1", 0))

    @property
    def box(self) -> list[float]:
        return [float(v) for v in self.root.get("viewBox", "").split()]

    def head(self) -> Point:
        return self.circles["head"][0]

    def near_floor(self, p: Point, within: float = 10) -> bool:
        assert self.floor is not None
        return 0 <= self.floor - p[1] <= within


def angle(at: Point, a: Point, b: Point) -> float:
    """The angle at `at` between the segments to `a` and to `b`, in degrees."""
    v1 = (a[0] - at[0], a[1] - at[1])
    v2 = (b[0] - at[0], b[1] - at[1])
    cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (math.hypot(*v1) * math.hypot(*v2))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def off_line(p: Point, a: Point, b: Point) -> float:
    """How far p lies from the straight line through a and b."""
    return abs((b[0] - a[0]) * (a[1] - p[1]) - (a[0] - p[0]) * (b[1] - a[1])) / math.dist(a, b)


def bent_knee_foot_flat(fig: Figure, leg: list[Point]) -> None:
    """hip, knee, ankle, toe: the knee bent to a right angle or so and raised, the foot flat on the floor."""
    hip, knee, ankle, toe = leg
    assert 60 <= angle(knee, hip, ankle) <= 120
    assert fig.floor is not None and fig.floor - knee[1] >= 40
    assert fig.near_floor(ankle, 16) and fig.near_floor(toe)
    assert abs(toe[1] - ankle[1]) <= 10 and toe[0] > ankle[0]


@pytest.mark.parametrize("code", REQUIRED_EXERCISES)
def test_each_figure_is_at_least_480_wide_and_says_what_it_shows(code: str) -> None:
    fig = Figure(code)
    assert fig.box[2] >= MIN_FIGURE_WIDTH and float(fig.root.get("width", 0)) >= MIN_FIGURE_WIDTH
    assert fig.root.get("role") == "img"
    title, desc = fig.root.find(f"{NS}title"), fig.root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert (fig.root.get("aria-labelledby") or "").split() == [f"fig-{code}-title", f"fig-{code}-desc"]
    assert title.get("id") == f"fig-{code}-title" and desc.get("id") == f"fig-{code}-desc"
    assert (title.text or "").strip() and len((desc.text or "").split()) >= 10  # the pose in words, not a label


@pytest.mark.parametrize("code", REQUIRED_EXERCISES)
def test_each_figure_is_drawn_inside_its_frame_with_a_person_in_it(code: str) -> None:
    fig = Figure(code)
    x0, y0, w, h = fig.box
    (cx, cy), r = fig.circles["head"]
    assert x0 <= cx - r and cx + r <= x0 + w and y0 <= cy - r and cy + r <= y0 + h
    assert "torso" in fig.lines
    for points in fig.lines.values():
        for x, y in points:
            assert x0 <= x <= x0 + w and y0 <= y <= y0 + h


def test_plank_forearms_lie_forward_under_the_shoulders_and_the_body_is_straight() -> None:
    fig = Figure("plank")
    shoulder, elbow, hand = fig.lines["arm"]
    hip, knee, ankle, toe = fig.lines["leg"]
    forearm = math.dist(elbow, hand)
    assert elbow[1] > shoulder[1] and abs(elbow[0] - shoulder[0]) <= 0.15 * forearm  # elbow under the shoulder
    assert fig.near_floor(elbow) and fig.near_floor(hand)  # the forearm lies on the floor ...
    assert abs(hand[1] - elbow[1]) <= 4
    head_way = fig.head()[0] - toe[0]
    assert (hand[0] - elbow[0]) * head_way > 0  # ... reaching forward, away from the feet
    assert fig.near_floor(toe) and not fig.near_floor(hip, 20)  # on the toes, hips lifted
    assert fig.lines["torso"][0] == shoulder and fig.lines["torso"][-1] == hip
    for joint in (hip, knee):
        assert off_line(joint, shoulder, ankle) <= 4  # one straight line, no sag, no pike
    assert off_line(fig.head(), shoulder, ankle) <= 15


def test_knee_to_chest_lies_on_the_back_other_foot_flat_and_the_knee_drawn_in() -> None:
    fig = Figure("knee_to_chest")
    shoulder, hip = fig.lines["torso"]
    assert fig.near_floor(shoulder) and fig.near_floor(hip)  # lying on the back
    other = fig.lines["leg-other"]
    bent_knee_foot_flat(fig, other)
    p_hip, p_knee, p_ankle, *_ = fig.lines["leg-pulled"]
    assert p_hip == hip == other[0]
    assert angle(hip, shoulder, p_knee) < 60  # the thigh folded well towards the chest
    assert math.dist(p_knee, shoulder) < math.dist(other[1], shoulder)
    assert not fig.near_floor(p_ankle, 40)  # that foot is off the floor
    hands = fig.lines["arm"][-1]
    assert fig.lines["arm"][0] == shoulder and math.dist(hands, p_knee) <= 25  # both hands hold the knee


def test_pelvic_tilt_lies_on_the_back_knees_bent_feet_flat_arms_by_the_sides() -> None:
    fig = Figure("pelvic_tilt")
    shoulder, hip = fig.lines["torso"]
    assert fig.near_floor(shoulder, 20) and fig.near_floor(hip, 20)
    bent_knee_foot_flat(fig, fig.lines["leg"])
    arm = fig.lines["arm"]
    assert all(fig.near_floor(p, 20) for p in arm) and arm[-1][0] > hip[0] - 10  # along the side, to the hip


def test_gentle_crunch_lifts_head_and_shoulders_with_the_lower_back_on_the_floor() -> None:
    fig = Figure("gentle_crunch")
    shoulder, middle, hip = fig.lines["torso"]
    assert fig.near_floor(middle) and fig.near_floor(hip)  # the lower back stays down
    assert 15 <= (fig.floor or 0) - shoulder[1] <= 60  # the shoulders a little off the floor
    bent_knee_foot_flat(fig, fig.lines["leg"])
    hand = fig.lines["arm"][-1]
    hip_, knee = fig.lines["leg"][:2]
    assert off_line(hand, hip_, knee) <= 12 and hip_[0] < hand[0] < knee[0]  # the hands on the thighs


def test_bird_dog_is_on_all_fours_reaching_one_arm_forward_and_the_other_leg_back() -> None:
    fig = Figure("bird_dog")
    shoulder, hip = fig.lines["torso"]
    s_arm = fig.lines["arm-support"]
    s_leg = fig.lines["leg-support"]
    assert abs(s_arm[2][0] - shoulder[0]) <= 4 and fig.near_floor(s_arm[2])  # hand under the shoulder
    assert abs(s_leg[1][0] - hip[0]) <= 4 and fig.near_floor(s_leg[1])  # knee under the hip
    assert abs(shoulder[1] - hip[1]) <= 0.15 * math.dist(shoulder, hip)  # the back about flat
    arm, leg = fig.lines["arm-reach"], fig.lines["leg-reach"]
    assert arm[-1][0] < shoulder[0] < hip[0] < leg[2][0]  # arm forward, leg back
    for a, b in ((arm[0], arm[-1]), (leg[0], leg[2])):
        assert abs(b[1] - a[1]) <= 0.15 * abs(b[0] - a[0])  # both level with the body


def test_walking_and_cycling_stand_on_the_ground_and_swimming_lies_in_the_water() -> None:
    walk = Figure("walking")
    assert walk.near_floor(walk.lines["leg"][-2], 14) and walk.near_floor(walk.lines["leg-far"][-1])
    bike = Figure("cycling")
    hip, knee, ankle = bike.lines["leg"][:3]
    assert 140 <= angle(knee, hip, ankle) <= 178  # the lower leg almost straight at the bottom of the stroke
    shoulder, hip_ = bike.lines["torso"]
    assert math.degrees(math.atan2(abs(shoulder[0] - hip_[0]), hip_[1] - shoulder[1])) <= 30  # fairly upright
    swim = Figure("swimming")
    s, h = swim.lines["torso"]
    assert abs(s[1] - h[1]) <= 0.15 * abs(h[0] - s[0])  # lying along the water

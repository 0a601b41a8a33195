"""The pain chart's hour axis stays readable for a diary of a few minutes or a few weeks."""

from __future__ import annotations

import re

import pytest

from backspasm.report import pain_chart_svg


@pytest.mark.parametrize("points", [[(24.0, 6), (24.01, 5), (24.02, 4)], [(5.0, 3)], [(0.0, 8), (600.0, 2)]])
def test_hour_labels_never_repeat(points: list[tuple[float, int]]) -> None:
    labels = re.findall(r">(\d+) h<", pain_chart_svg(points))
    assert len(labels) == 5 and len(set(labels)) == 5

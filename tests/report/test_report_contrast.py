"""The PDF is readable: rendered to pixels, every character in it stands out from the background behind it.

Each character's box is found with PDFium's text layer; the background is the commonest
colour around the box, the ink the pixel inside it that differs most; their WCAG contrast
ratio must reach 4.5:1 (AA for normal text). A fill colour left on behind a table, as dark
as its text, fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pypdfium2 as pdfium
import pytest

from backspasm.diary.store import Store
from backspasm.report import Reader, build_pdf

SCALE = 3  # 216 dpi: an 8 pt glyph is about 24 pixels tall
WCAG_AA = 4.5


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of 0-255 sRGB values (last axis: R, G, B)."""
    v = rgb.astype(float) / 255
    lin = np.where(v <= 0.03928, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    return np.asarray(lin @ np.array([0.2126, 0.7152, 0.0722]))


def _ratio(a: float, b: float) -> float:
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def low_contrast_characters(pdf: bytes) -> list[tuple[int, str, float]]:
    """(page, character, ratio) for every visible character whose contrast is below AA."""
    found = []
    doc = pdfium.PdfDocument(pdf)
    for number in range(len(doc)):
        page = doc[number]
        height = page.get_height()
        pixels = np.asarray(page.render(scale=SCALE).to_pil().convert("RGB"))
        lum = _luminance(pixels)
        keys = (pixels[..., 0].astype(np.int64) << 16) | (pixels[..., 1].astype(np.int64) << 8) | pixels[..., 2]
        text = page.get_textpage()
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if not ch.strip():
                continue
            left, bottom, right, top = text.get_charbox(i)
            x0, y0 = int(left * SCALE), int((height - top) * SCALE)
            x1, y1 = int(right * SCALE) + 1, int((height - bottom) * SCALE) + 1
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            pad = 2 * SCALE
            around = keys[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad].ravel()
            values, counts = np.unique(around, return_counts=True)
            commonest = values[counts.argmax()]
            background = float(_luminance(np.array([(commonest >> 16) & 255, (commonest >> 8) & 255, commonest & 255])))
            inside = lum[y0:y1, x0:x1]
            ratio = max(_ratio(float(inside.max()), background), _ratio(float(inside.min()), background))
            if ratio < WCAG_AA:
                found.append((number + 1, ch, round(ratio, 2)))
    return found


@pytest.mark.parametrize("urgency_finding", [None, "leg_tingling", "chest_pain", "radiating_leg_pain"])
def test_every_character_of_the_report_meets_wcag_aa_contrast(store: Store, urgency_finding: str | None) -> None:
    uid = store.local_user().id
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    ep, _ = store.start_episode(uid, {"hours_since_onset": 2, "pain": 6, "denied": ["fever"]}, started_at=start)
    for i in range(12):
        store.add_checkin(uid, ep.id, 3 + i % 5, at=start + timedelta(hours=2 + 6 * i), tried={"heat": i % 2 == 0},
                          note="stiff in the morning" if i % 4 == 0 else None,
                          findings=[urgency_finding] if urgency_finding and i == 5 else [])
    st = store.status(uid, ep.id, now=start + timedelta(hours=80))
    pdf = build_pdf(st, Reader(zone="Europe/London", locale="en-GB", name="Ann Example"))
    assert low_contrast_characters(pdf) == []


def test_the_check_finds_dark_text_on_a_dark_fill() -> None:
    """The check itself: black text on the dark blue the chart uses is caught."""
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.add_page()
    doc.set_font("Helvetica", "", 9)
    doc.set_fill_color(31, 95, 168)
    doc.cell(60, 6, "Timeline row", fill=True)
    assert {ch for _page, ch, _ratio in low_contrast_characters(bytes(doc.output()))} >= set("Timelinerow")

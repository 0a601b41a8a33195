"""The doctor's report: the PDF's text and the HTML carry the timeline, chart, red flags, what helped, urgency."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from backspasm.diary.store import Status, Store
from backspasm.report import build_html, build_pdf, pain_chart_svg

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def status(store: Store) -> Status:
    uid = store.local_user().id
    ep, _ = store.start_episode(
        uid, {"hours_since_onset": 2, "pain": 6, "denied": ["fever", "injury"], "age": 41}, started_at=START
    )
    store.add_checkin(uid, ep.id, 6, at=START + timedelta(hours=10), tried={"cold": True, "nsaid": False})
    store.add_checkin(uid, ep.id, 7, at=START + timedelta(hours=30), tried={"cold": True}, note="worse after work")
    store.add_checkin(uid, ep.id, 7, at=START + timedelta(hours=80), findings=["leg_tingling"])
    return store.status(uid, ep.id, now=START + timedelta(hours=81))


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_pdf_text_has_every_section(status: Status) -> None:
    text = _pdf_text(build_pdf(status))
    assert "summary for the doctor (episode" in text
    assert "See a doctor today" in text  # current urgency after the leg tingling
    assert "source: How to Treat a Back Spasm at Home and With a Doctor: When to see a doctor" in text
    assert "article:" not in text and "guideline:" not in text  # people see titles, never raw refs
    assert "Pain ratings (0-10): 6, 6, 7, 7" in text
    assert "worse after work" in text
    assert "Fever See a doctor today no" in text
    assert "Tingling in a leg See a doctor today yes, from hour 82" in text
    assert "Cold pack 2 2 0" in text and "NSAID (ibuprofen, naproxen) 1 0 1" in text
    assert "(RAISED)" in text


def test_html_has_the_chart_with_every_rating_marked(status: Status) -> None:
    html = build_html(status)
    assert html.count('class="checkin"') == 4
    assert 'class="pain-line"' in html
    assert re.search(r'<tr class="escalated">.*?\(raised\)', html, re.S)
    assert "Tingling in a leg" in html and "yes, from hour 82" in html
    assert "worse after work" in html


def test_html_escapes_the_persons_words(store: Store) -> None:
    uid = store.local_user().id
    ep, _ = store.start_episode(uid, {"hours_since_onset": 1, "pain": 3}, started_at=START)
    store.add_checkin(uid, ep.id, 3, at=START + timedelta(hours=1), note="<script>alert(1)</script>")
    html = build_html(store.status(uid, ep.id, now=START + timedelta(hours=2)))
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_chart_puts_higher_pain_higher_up() -> None:
    svg = pain_chart_svg([(0.0, 2), (10.0, 8)])
    ys = [float(y) for y in re.findall(r'<circle class="checkin" cx="[\d.]+" cy="([\d.]+)"', svg)]
    xs = [float(x) for x in re.findall(r'<circle class="checkin" cx="([\d.]+)"', svg)]
    assert ys[0] > ys[1] and xs[0] < xs[1]

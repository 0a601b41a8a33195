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


RAW_REF = re.compile(r"\b(?:article|guideline|label|study):[a-z][a-z0-9-]+")


def test_the_red_flag_table_covers_every_finding_that_sets_today_or_emergency(status: Status) -> None:
    from backspasm.knowledge import load

    html = build_html(status)
    table = html[html.index('id="red-flags"'):html.index("</table>", html.index('id="red-flags"'))]
    for f in load().findings.values():
        if f.level in ("urgent", "emergency") and f.kind != "derived":
            assert f.label in table, f.code
    for label in ("Began after a serious accident", "New loss of genital feeling or sexual function",
                  "Pain in the upper or middle back", "A lump, swelling or change of shape in the back",
                  "Pain not eased by rest, or worse at night"):
        assert label in table


def test_the_report_shows_the_safety_net_given_with_the_advice(status: Status) -> None:
    html = build_html(status)
    net = html[html.index('id="safety-net"'):html.index("</section>", html.index('id="safety-net"'))]
    assert "Call 911 now if:" in net and "you lose control of your bladder or bowels" in net
    assert "See a doctor today if:" not in net  # the current urgency is already "today"
    text = _pdf_text(build_pdf(status))
    assert "Safety net given with this advice" in text and "Call 911 now if:" in text


def test_the_report_names_sources_by_title_with_their_address_never_by_ref(status: Status) -> None:
    html = build_html(status)
    assert RAW_REF.search(re.sub(r"<[^>]+>", " ", html)) is None
    assert '<a href="https://www.nhs.uk/conditions/back-pain/">' in html
    assert "docs/clinical-basis.md" in html and "PATHWAY.md" not in html
    text = _pdf_text(build_pdf(status))
    assert RAW_REF.search(text) is None
    assert "https://www.nhs.uk/conditions/back-pain/" in text.replace(" ", "")


def test_an_avoided_pain_reliever_leads_with_do_not_take(store: Store) -> None:
    uid = store.local_user().id
    ep, _ = store.start_episode(uid, {"hours_since_onset": 2, "pain": 4, "conditions": ["pregnancy"]}, started_at=START)
    st = store.status(uid, ep.id, now=START + timedelta(hours=3))
    html = build_html(st)
    assert '<span class="avoid">Do not take unless a doctor prescribes it:</span> Anti-inflammatory' in html
    assert "Do not take unless a doctor prescribes it: Anti-inflammatory" in _pdf_text(build_pdf(st))


def test_the_report_speaks_the_locale_it_is_asked_for(store: Store) -> None:
    uid = store.local_user().id
    ep, _ = store.start_episode(uid, {"hours_since_onset": 2, "pain": 4}, started_at=START)
    html = build_html(store.status(uid, ep.id, now=START + timedelta(hours=3), locale="en-GB"))
    assert '<html lang="en-GB">' in html and "Call 999 or go to A&amp;E now if:" in html

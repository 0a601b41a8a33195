"""The doctor's report: summary first, then the timeline; sources by title; readable contrast; name only when typed."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from backspasm.diary.store import Status, Store
from backspasm.knowledge import load
from backspasm.report import Reader, build_html, build_pdf, pain_chart_svg, report_context

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


def _pdf_pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def _pdf_text(data: bytes) -> str:
    return " ".join(_pdf_pages(data))


def test_the_first_page_is_the_summary_a_doctor_reads_in_a_minute(status: Status) -> None:
    pages = _pdf_pages(build_pdf(status, Reader(zone="Europe/London", locale="en-GB")))
    first = pages[0]
    assert "Back spasm began Fri, 20 Nov 2026, recorded Fri, 20 Nov 2026: summary for the doctor" in first
    assert "Urgency now See a doctor today" in first
    assert "Tingling in a leg" in first and load().sources["article:when-to-consult"].name in first
    assert "At the start: 6/10" in first and "Now: 7/10" in first
    assert "Fever See a doctor today no (asked at the start)" in first
    assert "Tingling in a leg See a doctor today yes, from Mon, 23 Nov 2026 (hour 82)" in first
    assert "Cold pack 2 2 0" in first and "NSAID (ibuprofen, naproxen) 1 0 1" in first
    assert "What helped: Cold pack." in first
    assert "Timeline" not in first
    rest = " ".join(pages[1:])
    assert "Timeline" in rest and "worse after work" in rest and "(raised)" in rest
    assert all(f"Page {i + 1} of {len(pages)}" in page for i, page in enumerate(pages))


def test_sources_are_listed_by_title_with_their_address_never_as_raw_refs(status: Status) -> None:
    text = " ".join(_pdf_pages(build_pdf(status)))
    html = build_html(status)
    cited = report_context(status)["sources"]
    assert any(s["url"] for s in cited)
    for s in cited:
        assert s["name"] in text and s["name"] in html
        assert not s["url"] or (s["url"] in text.replace(" ", "") and f'href="{s["url"]}"' in html)
    for refs in (text, html):
        assert not re.search(r"\b(article|guideline|label|study):[a-z]", refs), "a raw source ref is shown"


def test_name_and_birth_date_appear_only_when_typed(status: Status) -> None:
    plain = " ".join(_pdf_pages(build_pdf(status)))
    named = " ".join(_pdf_pages(build_pdf(status, Reader(name="Ann Example", birth_date=date(1974, 3, 2)))))
    assert "Ann Example" not in plain and "born" not in plain
    assert "Ann Example, born Mar 2, 1974" in named
    assert "Ann Example, born 2 Mar 1974" in build_html(status, Reader(locale="en-GB", name="Ann Example",
                                                                       birth_date=date(1974, 3, 2)))


def test_the_html_fits_a_phone_prints_cleanly_and_links_back(status: Status) -> None:
    html = build_html(status, Reader(back_url="/diary/episodes/7"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html
    assert '<a class="back" href="/diary/episodes/7">' in html
    assert '<a class="back"' not in build_html(status)  # the CLI's file has nowhere to go back to
    assert html.index('id="summary"') < html.index('id="red-flags"') < html.index('id="timeline"')


def test_html_has_the_chart_with_every_rating_marked(status: Status) -> None:
    html = build_html(status)
    assert html.count('class="checkin"') == 4
    assert 'class="pain-line"' in html
    assert re.search(r'<tr class="escalated">.*?\(raised\)', html, re.S)
    assert "worse after work" in html


def test_html_escapes_the_persons_words(store: Store) -> None:
    uid = store.local_user().id
    ep, _ = store.start_episode(uid, {"hours_since_onset": 1, "pain": 3}, started_at=START)
    store.add_checkin(uid, ep.id, 3, at=START + timedelta(hours=1), note="<script>alert(1)</script>")
    html = build_html(store.status(uid, ep.id, now=START + timedelta(hours=2)))
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_a_long_diary_is_told_one_day_per_row(store: Store) -> None:
    uid = store.local_user().id
    ep, _ = store.start_episode(uid, {"hours_since_onset": 1, "pain": 5}, started_at=START)
    for i in range(200):
        store.add_checkin(uid, ep.id, 3 + i % 4, at=START + timedelta(hours=1 + i / 2), note="n" if i == 7 else None)
    st = store.status(uid, ep.id, now=START + timedelta(hours=120))
    text = " ".join(_pdf_pages(build_pdf(st, Reader(zone="UTC"))))
    assert "200 check-ins, one row per day" in text
    assert "48 check-ins" in text  # a whole day of half-hourly ratings
    assert "200 check-ins, one row per day" in build_html(st)


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

"""The report as a PDF with fpdf2 (pure Python): the same content as the HTML, and the chart drawn natively."""

from __future__ import annotations

import itertools
from typing import Any

from .. import i18n
from ..diary.store import Status
from .chart import HEIGHT, WIDTH, chart_coords
from .context import report_context

_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "→": "->", "•": "-", "≥": ">=", "≤": "<="}
)


def _t(value: Any) -> str:
    """Text the core PDF fonts can show (Latin-1), with typographic punctuation made plain."""
    return str(value).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _cite(src: dict[str, Any]) -> str:
    """A source as its title, with its address when it has one (never the raw ref)."""
    return str(src["name"]) + (f", {src['url']}" if src["url"] else "")


def build_pdf(st: Status) -> bytes:
    """The doctor's-visit report for one episode as PDF bytes."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    r = report_context(st)
    gettext = i18n.translations(st.result.locale).gettext
    pdf = FPDF(format="A4")
    pdf.set_title(_t(f"Back spasm: episode {r['episode_id']} summary"))
    pdf.set_author("backspasm")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    epw = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 9)

    def para(text: str, style: str = "") -> None:
        pdf.set_font("Helvetica", style, 9)
        pdf.multi_cell(0, 4.6, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 9)

    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _t(f"Back spasm: summary for the doctor (episode {r['episode_id']})"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    line = f"Spasm began about {r['onset']}; first assessed {r['started']}"
    if r["closed"]:
        line += f"; closed {r['closed']}"
    line += f". Hour {r['hours']} since onset at {r['generated']}."
    if r["age"] is not None:
        line += f" Age {r['age']}."
    if r["conditions"]:
        line += " Health conditions given: " + ", ".join(r["conditions"]) + "."
    para(line)

    heading("Current urgency")
    para(f"{r['urgency']['label']}: {r['urgency']['headline']}", "B")
    for x in r["reasons"]:
        para(f"- {x['label']}: {x['text']} (source: {_cite(x['source'])})")
    if not r["reasons"]:
        para("No finding raises the urgency above self-care.")
    if r["escalations"]:
        para(f"Urgency was raised {r['escalations']} time(s) during this episode.", "B")
    if r["safety_net"]:
        heading(gettext("Safety net given with this advice"))
        for g in r["safety_net"]:
            para(f"{g['heading']}:", "B")
            for sign in g["signs"]:
                para(f"- {sign}")

    heading("Pain over time")
    scale = epw / WIDTH
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_draw_color(210, 210, 210)
    pdf.set_font("Helvetica", "", 7)
    for level in range(0, 11, 2):
        _, y = chart_coords([(0.0, level)])[0]
        pdf.line(x0 + 44 * scale, y0 + y * scale, x0 + (WIDTH - 16) * scale, y0 + y * scale)
        pdf.text(x0 + 30 * scale, y0 + y * scale + 1, str(level))
    coords = chart_coords(r["points"])
    pdf.set_draw_color(31, 95, 168)
    pdf.set_fill_color(31, 95, 168)
    pdf.set_line_width(0.5)
    for (ax, ay), (bx, by) in itertools.pairwise(coords):
        pdf.line(x0 + ax * scale, y0 + ay * scale, x0 + bx * scale, y0 + by * scale)
    for cx, cy in coords:
        pdf.rect(x0 + cx * scale - 0.9, y0 + cy * scale - 0.9, 1.8, 1.8, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    hours = [h for h, _ in r["points"]]
    pdf.text(x0 + 44 * scale, y0 + (HEIGHT - 20) * scale, _t(f"hour {min(hours):.0f}"))
    pdf.text(x0 + (WIDTH - 60) * scale, y0 + (HEIGHT - 20) * scale, _t(f"hour {max(hours):.0f}"))
    pdf.set_y(y0 + HEIGHT * scale + 1)
    para("Pain ratings (0-10): " + ", ".join(str(p) for p in r["pains"]))

    heading("Timeline")
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(col_widths=(26, 9, 9, 40, 34, 40, 22), text_align="LEFT", line_height=4) as table:
        table.row(["When", "Hour", "Pain", "Event", "Tried", "Note", "Urgency"])
        for row in r["timeline"]:
            urgency = row["urgency"] + (" (RAISED)" if row["escalated"] else "")
            table.row([_t(v) for v in (row["when"], row["hour"], row["pain"], row["event"], row["tried"], row["note"], urgency)])

    heading("Red flags asked and answered")
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(col_widths=(60, 30, 40), text_align="LEFT", line_height=4) as table:
        table.row(["Red flag", "Sets", "Answer"])
        for f in r["red_flags"]:
            table.row([_t(f["label"]), _t(f["level"]), _t(f["answer"])])

    heading("What was tried and whether it helped")
    if r["treatments"]:
        pdf.set_font("Helvetica", "", 8)
        with pdf.table(col_widths=(60, 25, 25, 25), text_align="LEFT", line_height=4) as table:
            table.row(["Treatment", "Times noted", "Helped", "Did not help"])
            for t in r["treatments"]:
                table.row([_t(t["name"]), str(t["times"]), str(t["helped"]), str(t["not_helped"])])
    else:
        para("Nothing recorded at check-ins.")

    heading("Current plan")
    for p in r["plan"]:
        lead = f"{p['status_words']}: " if p["status_words"] else ""
        why = f" ({' '.join(p['cautions'])})" if p["cautions"] else ""
        para(f"- {lead}{p['title']}{why} (source: {_cite(p['source'])})", "B" if lead else "")

    heading("Sources")
    for src in r["sources"]:
        para(f"- {src['citation']}" + (f" {src['url']}" if src["url"] else ""))
    para(gettext("The clinical facts behind each rule, each with its source, are listed in docs/clinical-basis.md of "
           "the backspasm repository; the assessment itself is described in docs/contract.md."))
    para(r["disclaimer"], "I")
    return bytes(pdf.output())

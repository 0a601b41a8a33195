"""The report as a PDF with fpdf2 (pure Python): the summary page first, then the chart and the timeline.

Dark text on white or light fills only (the fill is set for every shaded box and reset
after it), page numbers in the footer, and table rows drawn directly rather than through
fpdf2's table layout, so a diary of thousands of check-ins still renders in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import i18n
from ..diary.store import Status
from .chart import HEIGHT, WIDTH, chart_coords
from .context import Reader, report_context

_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "→": "->", "•": "-", "≥": ">=", "≤": "<=",
     "\u202f": " ", "\u00a0": " "}
)
INK = (26, 26, 26)
RULE = (150, 150, 150)
HEAD_FILL = (232, 232, 232)
URGENCY_FILL = {"self_care": (230, 244, 234), "soon": (255, 244, 214), "urgent": (255, 226, 204), "emergency": (255, 221, 221)}
LINE = 4.2  # mm per line of 8 pt table text


def _t(value: Any) -> str:
    """Text the core PDF fonts can show (Latin-1), with typographic punctuation made plain."""
    return str(value).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _cite(src: dict[str, Any]) -> str:
    """A source as its title, with its address when it has one (never the raw ref)."""
    return str(src["name"]) + (f", {src['url']}" if src["url"] else "")


def _document(footer_text: str) -> Any:
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(*INK)
            self.cell(self.epw / 2, 5, footer_text)
            self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = Report(format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=16)
    return pdf


class _Writer:
    """Headings, paragraphs and fast tables on one fpdf2 document."""

    def __init__(self, pdf: Any):
        self.pdf = pdf

    def heading(self, text: str, size: int = 12) -> None:
        pdf = self.pdf
        if pdf.get_y() + 20 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", size)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 6.5, _t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(1.5)
        pdf.set_font("Helvetica", "", 9)

    def para(self, text: str, style: str = "", fill: tuple[int, int, int] | None = None, size: int = 9) -> None:
        pdf = self.pdf
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*INK)
        if fill:
            pdf.set_fill_color(*fill)
        pdf.multi_cell(0, 4.8 if size <= 9 else 6, _t(text), fill=bool(fill), padding=1.5 if fill else 0,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(255, 255, 255)
        pdf.set_font("Helvetica", "", 9)

    def _lines(self, text: str, width: float) -> list[str]:
        """`text` wrapped at word boundaries to `width` mm, measured with the core font's own widths."""
        cw, scale = self.pdf.current_font.cw, self.pdf.font_size / 1000
        room = (width - 2) / scale

        def size(word: str) -> float:
            return float(sum(cw.get(ch, 556) for ch in word))

        space = size(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                w = size(word)
                while w > room:  # a word longer than the column: split it
                    cut = len(word)
                    while cut > 1 and size(word[:cut]) > room:
                        cut -= 1
                    if line:
                        lines.append(line)
                    lines.append(word[:cut])
                    line, used, word = "", 0.0, word[cut:]
                    w = size(word)
                if line and used + space + w > room:
                    lines.append(line)
                    line, used = word, w
                else:
                    line, used = (f"{line} {word}" if line else word), (used + space + w if line else w)
            lines.append(line)
        return lines or [""]

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
              bold_rows: Sequence[bool] | None = None) -> None:
        """A table: a shaded header row repeated on every page, then rows as tall as their longest cell."""
        pdf = self.pdf
        scale = pdf.epw / sum(widths)
        ws = [w * scale for w in widths]

        def draw(cells: Sequence[str], head: bool, bold: bool) -> None:
            pdf.set_font("Helvetica", "B" if head or bold else "", 8)
            lines = [self._lines(c, w) for c, w in zip(cells, ws, strict=True)]
            h = max(len(ls) for ls in lines) * LINE + 1.6
            if pdf.get_y() + h > pdf.page_break_trigger:
                pdf.add_page()
                if not head:
                    draw([_t(x) for x in header], True, False)
                    pdf.set_font("Helvetica", "B" if bold else "", 8)
            y, x = pdf.get_y(), pdf.l_margin
            if head:
                pdf.set_fill_color(*HEAD_FILL)
                pdf.rect(x, y, pdf.epw, h, style="F")
                pdf.set_fill_color(255, 255, 255)
            pdf.set_text_color(*INK)
            for ls, w in zip(lines, ws, strict=True):
                for i, line in enumerate(ls):
                    pdf.text(x + 1, y + 0.8 + (i + 1) * LINE - 1.1, line)
                x += w
            pdf.set_draw_color(*RULE)
            pdf.line(pdf.l_margin, y + h, pdf.l_margin + pdf.epw, y + h)
            pdf.set_y(y + h)

        draw([_t(x) for x in header], True, False)
        for i, row in enumerate(rows):
            draw([_t(x) for x in row], False, bool(bold_rows and bold_rows[i]))
        pdf.ln(2)


def _chart(pdf: Any, r: dict[str, Any]) -> None:
    scale = pdf.epw / WIDTH
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_draw_color(205, 205, 205)
    pdf.set_font("Helvetica", "", 7)
    pdf.set_text_color(*INK)
    for level in range(0, 11, 2):
        _, y = chart_coords([(0.0, level)])[0]
        pdf.line(x0 + 44 * scale, y0 + y * scale, x0 + (WIDTH - 16) * scale, y0 + y * scale)
        pdf.text(x0 + 30 * scale, y0 + y * scale + 1, str(level))
    _, severe = chart_coords([(0.0, 7)])[0]
    pdf.set_draw_color(192, 57, 43)
    pdf.set_dash_pattern(dash=1.2, gap=1)
    pdf.line(x0 + 44 * scale, y0 + severe * scale, x0 + (WIDTH - 16) * scale, y0 + severe * scale)
    pdf.set_dash_pattern()
    coords = chart_coords(r["points"])
    pdf.set_draw_color(31, 95, 168)
    pdf.set_fill_color(31, 95, 168)
    pdf.set_line_width(0.4)
    path = [(x0 + cx * scale, y0 + cy * scale) for cx, cy in coords]
    if len(path) > 1:
        pdf.polyline(path)
    if len(path) <= 400:  # a marker per rating while they can be told apart
        for cx, cy in path:
            pdf.rect(cx - 0.8, cy - 0.8, 1.6, 1.6, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    hours = [h for h, _ in r["points"]]
    pdf.text(x0 + 44 * scale, y0 + (HEIGHT - 20) * scale, _t(f"hour {min(hours):.0f}"))
    pdf.text(x0 + (WIDTH - 60) * scale, y0 + (HEIGHT - 20) * scale, _t(f"hour {max(hours):.0f}"))
    pdf.set_y(y0 + HEIGHT * scale + 1)


def build_pdf(st: Status, reader: Reader | None = None) -> bytes:
    """The doctor's-visit report for one episode as PDF bytes."""
    r = report_context(st, reader)
    gettext = i18n.translations(st.result.locale).gettext
    who = ", ".join(x for x in (r["name"], f"born {r['birth_date']}" if r["birth_date"] else None) if x)
    pdf = _document(_t(f"Back spasm {r['title']}" + (f" - {who}" if who else "")))
    pdf.set_title(_t(f"Back spasm {r['title']}: summary for the doctor"))
    pdf.set_author("backspasm")
    pdf.add_page()
    w = _Writer(pdf)

    w.para(f"Back spasm {r['title']}: summary for the doctor", "B", size=14)
    if who:
        w.para(who, "B", size=11)
    line = f"Hour {r['hours']} since the spasm began, as of {r['generated']} ({r['zone']})."
    if r["closed"]:
        line += f" Closed {r['closed']}."
    if r["age"] is not None:
        line += f" Age {r['age']}."
    if r["conditions"]:
        line += " Health conditions given: " + ", ".join(r["conditions"]) + "."
    w.para(line)

    w.heading("Urgency now")
    w.para(f"{r['urgency']['label']}: {r['urgency']['headline']}", "B", fill=URGENCY_FILL[r["urgency"]["code"]], size=11)
    for x in r["reasons"]:
        w.para(f"- {x['label']}: {x['text']} (source: {_cite(x['source'])})")
    if not r["reasons"]:
        w.para("No finding raises the urgency above self-care.")
    if r["safety_net"]:
        w.para(gettext("Safety net given with this advice"), "B", size=10)
        for g in r["safety_net"]:
            w.para(f"{g['heading']}:", "B")
            for sign in g["signs"]:
                w.para(f"- {sign}")
    start = f"At the start: {r['start_urgency']}."
    if r["escalations"]:
        start += f" Urgency was raised {r['escalations']} time(s) during the episode."
    w.para(start)
    if r["held"]:
        w.para("Reported gone, but held until a clinician's visit is recorded: " + ", ".join(r["held"]) + ".", "B")
    if r["advice"]:
        w.para(r["advice"], "B")
        for v in r["visits"]:
            w.para(f"- Seen {v['when']}" + (f": {v['note']}" if v["note"] else ""))

    w.heading("Pain now against the start")
    ps, pn = r["pain_start"], r["pain_now"]
    w.para(f"At the start: {ps['pain']}/10 ({ps['when']}, hour {ps['hour']}).  Now: {pn['pain']}/10 ({pn['when']}, "
           f"hour {pn['hour']}).  Lowest {r['pain_low']}, highest {r['pain_high']}, over {r['ratings']} rating(s).", "B")
    w.para("What helped: " + (", ".join(r["helped_most"]) if r["helped_most"] else "nothing reported as helping") + ".")

    w.heading("Red flags asked and answered")
    w.table(["Red flag", "Sets", "Answer"], [(f["label"], f["level"], f["answer"]) for f in r["red_flags"]],
            (70, 30, 90), [f["yes"] for f in r["red_flags"]])

    w.heading("What was tried and whether it helped")
    if r["treatments"]:
        w.table(["Treatment", "Times noted", "Helped", "Did not help"],
                [(t["name"], t["times"], t["helped"], t["not_helped"]) for t in r["treatments"]], (80, 30, 30, 30))
    else:
        w.para("Nothing recorded at check-ins.")

    pdf.add_page()
    w.heading("Pain over time")
    _chart(pdf, r)
    w.para("Pain (0-10) by hour since the spasm began; dashed line: 7, severe pain.", size=8)

    w.heading("Timeline")
    if r["timeline_by_day"]:
        w.para(f"{r['checkins']} check-ins, one row per day (lowest to highest pain that day; urgency at the day's last "
               "check-in). Every check-in is in the diary and its export.")
    raised = " (raised that day)" if r["timeline_by_day"] else " (raised)"
    rows = [(row["when"], row["hour"], row["pain"], row["event"], row["tried"], row["note"],
             row["urgency"] + (raised if row["escalated"] else "")) for row in r["timeline"]]
    w.table(["When", "Hour", "Pain", "Event", "Tried", "Note", "Urgency then"], rows, (29, 13, 9, 38, 32, 44, 25),
            [row["escalated"] for row in r["timeline"]])

    w.heading("Current plan")
    for p in r["plan"]:
        lead = f"{p['status_words']}: " if p["status_words"] else ""
        why = f" ({' '.join(p['cautions'])})" if p["cautions"] else ""
        w.para(f"- {lead}{p['title']}{why} (source: {_cite(p['source'])})", "B" if lead else "")

    w.heading("Sources")
    for s in r["sources"]:
        w.para(f"- {s['citation']}" + (f" {s['url']}" if s["url"] else ""))
    w.para(gettext("The clinical facts behind each rule, each with its source, are listed in docs/clinical-basis.md of "
                   "the backspasm repository; the assessment itself is described in docs/contract.md."))
    w.para(r["disclaimer"], "I")
    return bytes(pdf.output())


__all__ = ["build_pdf"]

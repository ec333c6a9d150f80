"""Generate the small PDF fixtures of tests/test_ingest_*.py (run by hand, output committed).

    python tests/data/ingest/make_pdfs.py      # needs reportlab, which payerkg does not depend on

The documents are made up (payer "Northwind Health", vendor "Acme Review"); they exercise one
layout feature each and are reviewed by eye (render a page with pdfplumber to check).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

HERE = Path(__file__).resolve().parent
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5)
HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=12.5, leading=15, textColor=colors.HexColor("#0b3d6b"))
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5, leading=10.5)
CODES = ParagraphStyle("codes", fontName="Helvetica", fontSize=6, leading=8)
NOTE = ParagraphStyle("note", fontName="Helvetica", fontSize=8, leading=10)


def _flow(c: Canvas, items, x: float, top: float, width: float) -> float:
    """Draw paragraphs top-down from ``top`` (PDF y) in a column; return the y reached."""
    y = top
    for style, text, space in items:
        p = Paragraph(text, style)
        _, h = p.wrap(width, 1000)
        y -= h
        p.drawOn(c, x, y)
        y -= space
    return y


def two_columns() -> None:
    """A newsletter: full-width banner, two columns of prose, full-width footer."""
    c = Canvas(str(HERE / "two_columns.pdf"), pagesize=letter)
    c.setTitle("Provider Update - Spring issue")
    c.setAuthor("Northwind Health")
    w, h = letter
    c.setFillColor(colors.HexColor("#0b3d6b"))
    c.rect(0, h - 90, w, 90, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont("Helvetica-Bold", 24)
    c.drawString(40, h - 50, "Provider Update")
    c.setFont("Helvetica", 9)
    c.drawString(40, h - 72, "Northwind Health news for network providers")
    c.setFillColor(colors.black)
    gutter = 24
    col_w = (w - 80 - gutter) / 2
    left = [
        (HEAD, "Imaging reviews move to Acme Review", 4),
        (BODY, "Starting March 1, Acme Review reviews prior authorization requests for advanced "
               "imaging for members with fully insured group coverage. Requests go through the "
               "Acme portal or by phone.", 6),
        (BODY, "Self-funded groups take part only when the employer adds the program to its plan. "
               "Check eligibility before every request.", 6),
        (HEAD, "Sleep studies", 4),
        (BODY, "In-lab sleep studies for individual plan members need prior authorization from the "
               "Northwind utilization management department. Home sleep tests need no review.", 6),
        (BODY, "Titration studies follow the same rule as the first study, and a repeat study within "
               "twelve months needs a new request with the sleep physician's notes and the results "
               "of the first study attached so that the reviewer can see why the repeat study is", 0),
    ]
    right = [
        (BODY, "needed for the member and which settings were already tried at home.", 6),
        (HEAD, "Claims reminder", 4),
        (BODY, "Send corrected claims electronically with frequency code 7 and the original claim "
               "number. Paper corrected claims are returned to the sender.", 6),
        (BODY, "Questions about this issue go to your network representative, who can also arrange "
               "a training session for your office staff.", 6),
    ]
    _flow(c, left, 40, h - 110, col_w)
    _flow(c, right, 40 + col_w + gutter, h - 110, col_w)
    c.setFont("Helvetica", 7)
    c.drawString(40, 30, "Northwind Health is an independent licensee of the Example Association.")
    c.drawRightString(w - 40, 30, "Page 1")
    c.showPage()
    c.save()


def footnotes() -> None:
    """Two pages: running header, a ruled grid with superscript references, footnotes."""
    c = Canvas(str(HERE / "footnotes.pdf"), pagesize=letter)
    c.setTitle("Services that need review")
    c.setAuthor("Northwind Health")
    w, h = letter

    def chrome(page: int) -> None:
        c.setFont("Helvetica-Bold", 9)
        c.setFillColor(colors.HexColor("#0b3d6b"))
        c.drawString(40, h - 30, "Northwind Health")
        c.setFont("Helvetica", 8)
        c.drawRightString(w - 40, h - 30, "Review list | Revised May 2025")
        c.setFillColor(colors.black)
        c.setFont("Helvetica", 7)
        c.drawString(40, 28, "An independent licensee of the Example Association")
        c.drawRightString(w - 40, 28, f"Page {page} of 2")

    chrome(1)
    y = _flow(c, [
        (ParagraphStyle("t", parent=HEAD, fontSize=18, leading=22), "Services that need review", 8),
        (BODY, "The grid shows which company reviews each service. Notes under the grid are part "
               "of the requirement.", 10),
    ], 40, h - 60, w - 80)
    rows = [
        ["Service", "Reviewed by", "Commercial", "Lines of business"],
        [[Paragraph("Advanced imaging", CELL), Paragraph("Codes: 70450-70498, 72125-72159", CODES)],
         Paragraph("Acme Review", CELL), Paragraph("Yes*", CELL),
         Paragraph("Commercial; Medicare Advantage<super>1</super>", CELL)],
        [[Paragraph("Sleep studies", CELL), Paragraph("Codes: 95805-95811", CODES)],
         Paragraph("Acme Review", CELL), Paragraph("Yes\u2020", CELL), Paragraph("Commercial", CELL)],
        [[Paragraph("Bariatric surgery", CELL)], Paragraph("Plan", CELL), Paragraph("No", CELL),
         Paragraph("Commercial; Medicaid", CELL)],
    ]
    t = Table(rows, colWidths=[200, 110, 80, 140])
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3b70")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, 0), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    _, th = t.wrap(w - 80, 1000)
    t.drawOn(c, 40, y - th)
    y = y - th - 14
    _flow(c, [
        (NOTE, "* Excludes members of the Legacy Choice plan and members of the Rural Carrier plan "
               "whose benefits are administered by another company under a separate contract.", 3),
        (NOTE, "\u2020 Site-of-care review applies to outpatient hospital only.", 3),
        (NOTE, "<super>1</super> For Medicare Advantage members, for dates of service on or after "
               "January 1, 2025.", 8),
        (BODY, "Prior authorization is never needed for emergency room services.", 0),
    ], 40, y, w - 80)
    c.showPage()
    chrome(2)
    _flow(c, [
        (HEAD, "Contacts", 4),
        (BODY, "Acme Review takes requests by phone and through its portal, seven days a week.", 0),
    ], 40, h - 70, w - 80)
    c.showPage()
    c.save()


if __name__ == "__main__":
    two_columns()
    footnotes()

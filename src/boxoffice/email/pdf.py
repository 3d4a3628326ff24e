"""Tickets as a PDF (reportlab): one A6-sized page per ticket, with its QR code.

The QR code carries the ticket code, as on the "my tickets" page; the gate
scans it. Helvetica covers Portuguese (cp1252), so no font ships with us.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A6, landscape
from reportlab.pdfgen.canvas import Canvas

from boxoffice.email.texts import text


@dataclass(frozen=True, slots=True)
class TicketCard:
    show: str
    when: str  # already in the venue's time zone and the fan's language
    venue: str
    section: str
    seat: str
    holder: str
    order: str
    code: str


PAGE = landscape(A6)  # 148 x 105 mm


def tickets_pdf(cards: list[TicketCard], language: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True)
    canvas.setTitle(f"{text(language, 'pdf.title')} {cards[0].show}" if cards else "boxoffice")
    canvas.setAuthor("boxoffice")
    for card in cards:
        _page(canvas, card, language)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas: Canvas, card: TicketCard, language: str) -> None:
    width, height = PAGE
    margin = 14
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(margin, height - margin - 4, f"boxoffice · {text(language, 'pdf.title')}".upper())
    canvas.setFont("Helvetica-Bold", 15)
    canvas.drawString(margin, height - margin - 24, _fit(card.show, 34))
    rows = [
        ("pdf.date", card.when),
        ("pdf.venue", card.venue),
        ("pdf.section", card.section),
        ("pdf.seat", card.seat),
        ("pdf.holder", card.holder),
        ("pdf.order", card.order),
        ("pdf.code", card.code),
    ]
    y = height - margin - 46
    for key, value in rows:
        canvas.setFont("Helvetica", 7)
        canvas.drawString(margin, y, text(language, key))
        canvas.setFont("Helvetica-Bold", 9)
        for line in _lines(_plain(value), 32)[:3]:
            canvas.drawString(margin + 84, y, line)
            y -= 11
        y -= 3
    _qr(canvas, card.code, x=width - margin - 112, y=margin + 4, size=112)


def _qr(canvas: Canvas, value: str, *, x: float, y: float, size: float) -> None:
    """The ticket's QR code (error level M, a 4-module quiet zone) as one
    filled path: a rectangle per dark module. (reportlab's QR widget builds
    and validates a shape object per module: ~70% of a confirmation mail's
    CPU, measured; each order's mail renders one per ticket.)"""
    code = segno.make_qr(value, error="m", boost_error=False)
    rows = list(code.matrix_iter(scale=1, border=4))
    cell = size / len(rows)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * cell
        c = 0
        while c < len(row):  # a run of dark modules is one rectangle
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + start * cell, top, (c - start) * cell, cell)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)


def _plain(value: str) -> str:
    """Helvetica has no narrow or no-break spaces (babel puts them in times)."""
    return value.replace("\u202f", " ").replace("\u00a0", " ")


def _lines(value: str, width: int) -> list[str]:
    """Break a long value at its last ", " or space that fits."""
    lines = []
    while len(value) > width:
        cut = value.rfind(", ", 0, width)
        cut = cut if cut > 0 else value.rfind(" ", 0, width)
        cut = cut if cut > 0 else width
        lines.append(value[:cut].rstrip(", "))
        value = value[cut:].lstrip(", ")
    return [*lines, value]


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"

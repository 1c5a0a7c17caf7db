"""Draw a receipt (領収書) or annual donation certificate (寄附金受領証明書) as an A4 PDF.

Only the receipt's own snapshot is used (donor, address, issuer, gifts, total), never live
data, so a reissue prints exactly what was issued. The IPAex fonts are embedded as subsets
(ouendan.core.pdf), so the Japanese text renders everywhere and can be copied or searched.

Drawn straight onto a ReportLab canvas (no layout engine): about 10 ms a page, which keeps a
year's batch of 10,000 certificates within minutes (bench/receipts.py).
"""

import datetime
import io

from django.utils import formats, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from donations.models import Donation
from ouendan.core.pdf import pdf_fonts

from .models import Receipt

WIDTH, HEIGHT = A4
MARGIN = 56
RED = Color(0.75, 0.1, 0.1)
GREY = Color(0.45, 0.45, 0.45)
LINES_FIRST_PAGE = 18
LINES_PER_PAGE = 40
RECEIPT_LANGUAGE = "ja"  # a certificate for the tax office is a Japanese document


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def _date(value) -> str:
    if isinstance(value, str):
        value = parse_date(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width` (Japanese has no spaces to break at)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and stringWidth(line + char, font, size) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


class _Drawer:
    def __init__(self, receipt: Receipt):
        self.receipt = receipt
        self.fonts = pdf_fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1, invariant=1)
        self.page = 1

    def text(self, x, y, value, *, size=10.5, font=None, align="left", color=black):
        canvas = self.canvas
        canvas.setFillColor(color)
        canvas.setFont(font or self.fonts.serif, size)
        if align == "right":
            canvas.drawRightString(x, y, value)
        elif align == "center":
            canvas.drawCentredString(x, y, value)
        else:
            canvas.drawString(x, y, value)

    def header(self) -> float:
        """Number, dates and the reissue mark; returns the y below them."""
        receipt = self.receipt
        y = HEIGHT - MARGIN
        self.text(
            WIDTH - MARGIN,
            y,
            _("No. %(number)s") % {"number": receipt.number},
            size=10,
            align="right",
        )
        y -= 15
        self.text(
            WIDTH - MARGIN,
            y,
            _("Issued on %(date)s") % {"date": _date(receipt.issued_at)},
            size=10,
            align="right",
        )
        if receipt.is_reissue:
            y -= 15
            self.text(
                WIDTH - MARGIN,
                y,
                _("Reissued on %(date)s") % {"date": _date(receipt.reissued_at)},
                size=10,
                align="right",
            )
            self._reissue_mark()
        if self.page > 1:
            self.text(MARGIN, HEIGHT - MARGIN, _("(continued)"), size=10, color=GREY)
        return y - 30

    def _reissue_mark(self):
        canvas = self.canvas
        label = _("Reissue")
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(1.5)
        width = stringWidth(label, self.fonts.sans, 16) + 20
        canvas.rect(MARGIN, HEIGHT - MARGIN - 12, width, 28, stroke=1, fill=0)
        self.text(MARGIN + 10, HEIGHT - MARGIN - 3, label, size=16, font=self.fonts.sans, color=RED)

    def title_and_donor(self, y: float) -> float:
        receipt = self.receipt
        title = _("Donation certificate") if receipt.kind == Receipt.Kind.ANNUAL else _("Receipt")
        self.text(WIDTH / 2, y, title, size=22, align="center")
        y -= 45
        if receipt.donor_postal_code:
            self.text(MARGIN, y, "〒" + receipt.donor_postal_code, size=10)
            y -= 14
        for line in _wrap(receipt.donor_address, self.fonts.serif, 10, WIDTH / 2):
            if line:
                self.text(MARGIN, y, line, size=10)
                y -= 14
        y -= 8
        name = pgettext("receipt addressee", "%(name)s") % {"name": receipt.donor_name}
        self.text(MARGIN, y, name, size=16)
        self.canvas.setStrokeColor(black)
        self.canvas.setLineWidth(0.8)
        self.canvas.line(
            MARGIN, y - 5, MARGIN + max(220, stringWidth(name, self.fonts.serif, 16)), y - 5
        )
        return y - 36

    def amount(self, y: float) -> float:
        receipt = self.receipt
        canvas = self.canvas
        box_width = 300
        left = (WIDTH - box_width) / 2
        canvas.setStrokeColor(black)
        canvas.setLineWidth(1.2)
        canvas.rect(left, y - 14, box_width, 38, stroke=1, fill=0)
        self.text(left + 14, y, _("Amount"), size=12, font=self.fonts.sans)
        self.text(left + box_width - 14, y, yen(receipt.total_yen) + "-", size=18, align="right")
        y -= 42
        if receipt.kind == Receipt.Kind.ANNUAL:
            statement = _(
                "We certify that we received the donations below between %(start)s and %(end)s."
            ) % {
                "start": _date(datetime.date(receipt.year, 1, 1)),
                "end": _date(datetime.date(receipt.year, 12, 31)),
            }
        else:
            statement = _("We have received the amount above as a donation. Thank you.")
        for line in _wrap(statement, self.fonts.serif, 10.5, WIDTH - 2 * MARGIN):
            self.text(MARGIN, y, line)
            y -= 15
        return y - 10

    def table_header(self, y: float) -> float:
        sans = self.fonts.sans
        self.text(MARGIN, y, _("No."), size=9.5, font=sans)
        self.text(MARGIN + 40, y, _("Date received"), size=9.5, font=sans)
        self.text(MARGIN + 200, y, _("Kind"), size=9.5, font=sans)
        self.text(WIDTH - MARGIN, y, _("Amount"), size=9.5, font=sans, align="right")
        self.canvas.setLineWidth(0.6)
        self.canvas.line(MARGIN, y - 5, WIDTH - MARGIN, y - 5)
        return y - 19

    def gifts(self, y: float) -> float:
        lines = self.receipt.lines
        kinds, methods = dict(Donation.Kind.choices), dict(Donation.Method.choices)
        y = self.table_header(y)
        capacity = LINES_FIRST_PAGE
        for index, line in enumerate(lines, start=1):
            if capacity == 0:
                self.footer()
                self.canvas.showPage()
                self.page += 1
                y = self.table_header(self.header())
                capacity = LINES_PER_PAGE
            kind = kinds.get(line.get("kind"), "")
            method = methods.get(line.get("method"), "")
            self.text(MARGIN, y, str(index), size=9.5)
            self.text(MARGIN + 40, y, _date(line["date"]), size=9.5)
            self.text(MARGIN + 200, y, f"{kind}（{method}）" if method else kind, size=9.5)
            self.text(WIDTH - MARGIN, y, yen(line["amount_yen"]), size=9.5, align="right")
            y -= 15
            capacity -= 1
        self.canvas.line(MARGIN, y + 10, WIDTH - MARGIN, y + 10)
        self.text(MARGIN + 200, y - 4, _("Total"), size=10, font=self.fonts.sans)
        self.text(WIDTH - MARGIN, y - 4, yen(self.receipt.total_yen), size=10, align="right")
        return y - 30

    def issuer(self, y: float) -> float:
        issuer = self.receipt.issuer
        x = WIDTH / 2 + 10
        y = min(y, 250)
        entries = [
            (" ".join(filter(None, [issuer.get("legal_form"), issuer.get("name")])), 12),
            (("〒" + issuer["postal_code"]) if issuer.get("postal_code") else "", 9.5),
            (issuer.get("address", ""), 9.5),
            (
                _("Phone %(phone)s") % {"phone": issuer["phone"]} if issuer.get("phone") else "",
                9.5,
            ),
            (
                _("Representative: %(name)s") % {"name": issuer["representative"]}
                if issuer.get("representative")
                else "",
                9.5,
            ),
            (
                _("Corporate number %(number)s") % {"number": issuer["corporate_number"]}
                if issuer.get("corporate_number")
                else "",
                9.5,
            ),
            (
                _("Certification %(number)s") % {"number": issuer["certification_number"]}
                if issuer.get("certification_number")
                else "",
                9.5,
            ),
            (
                _("Certified on %(date)s") % {"date": _date(issuer["certification_date"])}
                if issuer.get("certification_date")
                else "",
                9.5,
            ),
        ]
        for value, size in entries:
            for line in _wrap(value, self.fonts.serif, size, WIDTH - MARGIN - x):
                if line:
                    self.text(x, y, line, size=size)
                    y -= size + 5
        return y

    def footer(self):
        receipt = self.receipt
        y = MARGIN + 40
        notes = []
        if receipt.kind == Receipt.Kind.ANNUAL:
            notes.append(_("Membership fees are not donations and are not included."))
        if receipt.issuer.get("receipt_note"):
            notes.append(receipt.issuer["receipt_note"])
        for note in notes:
            for line in _wrap(note, self.fonts.serif, 8.5, WIDTH - 2 * MARGIN):
                self.text(MARGIN, y, line, size=8.5, color=GREY)
                y -= 12
        self.text(
            WIDTH - MARGIN,
            MARGIN - 10,
            f"{receipt.number} — {self.page}",
            size=8,
            align="right",
            color=GREY,
        )

    def render(self) -> bytes:
        canvas = self.canvas
        canvas.setTitle(f"{self.receipt.number}")
        canvas.setAuthor(self.receipt.issuer.get("name", ""))
        y = self.header()
        y = self.title_and_donor(y)
        y = self.amount(y)
        y = self.gifts(y)
        if y < 260:  # no room left for the issuer block on this page
            self.footer()
            canvas.showPage()
            self.page += 1
            y = self.header()
        self.issuer(y)
        self.footer()
        canvas.showPage()
        canvas.save()
        return self.buffer.getvalue()


def receipt_pdf_render(*, receipt: Receipt) -> bytes:
    """The receipt as PDF bytes, in Japanese whatever the current language."""
    with translation.override(RECEIPT_LANGUAGE):
        return _Drawer(receipt).render()

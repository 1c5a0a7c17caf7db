"""Draw a receipt (領収書) or annual donation certificate (寄附金受領証明書) as an A4 PDF.

Only the receipt's own snapshot is used (donor, address, issuer, gifts, total), never live
data, so a reissue prints exactly what was issued. The IPAex fonts are embedded as subsets
(ouendan.core.pdf), so the Japanese text renders everywhere and can be copied or searched.

Drawn straight onto a ReportLab canvas (no layout engine): about 10 ms a page, which keeps a
year's batch of 10,000 certificates within minutes (bench/receipts.py).

Accessibility: the open-source ReportLab we pin (5.x) cannot write a tagged PDF (no structure
tree or marked content; that is ReportLab PLUS territory), so the file is not PDF/UA. It states
what it can: the document language (/Lang ja), a title shown by viewers instead of the file
name, author (the legal issuer), subject and keywords, and all text is real, extractable text.
"""

import datetime
import io

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from donations.models import Donation
from ouendan.core.pdf import pdf_fonts, pdf_image

from .models import Receipt

WIDTH, HEIGHT = A4
MARGIN = 56
RED = Color(0.75, 0.1, 0.1)
GREY = Color(0.45, 0.45, 0.45)
LINES_FIRST_PAGE = 18
LINES_PER_PAGE = 40
RECEIPT_LANGUAGE = "ja"  # a certificate for the tax office is a Japanese document
SEAL_SIZE = 54  # the 印影 box: about 19 mm, room for a 18 mm seal
ISSUER_X = WIDTH / 2 - 10


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def _date(value) -> str:
    if isinstance(value, str):
        value = parse_date(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
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


def issuer_legal_name(issuer: dict) -> str:
    """Who received the gifts: the legal form (法人格) and the legal entity's name."""
    name = issuer.get("legal_name") or issuer.get("name") or ""
    return " ".join(filter(None, [issuer.get("legal_form"), name]))


class _Drawer:
    def __init__(self, receipt: Receipt):
        self.receipt = receipt
        self.fonts = pdf_fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(
            self.buffer, pagesize=A4, pageCompression=1, invariant=1, lang=RECEIPT_LANGUAGE
        )
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
        if receipt.is_provisional:
            self._provisional_mark(MARGIN + (90 if receipt.is_reissue else 0))
        if self.page > 1:
            self.text(MARGIN, HEIGHT - MARGIN, _("(continued)"), size=10, color=GREY)
        return y - 30

    def _reissue_mark(self):
        self._mark(_("Reissue"), MARGIN)

    def _provisional_mark(self, x: float):
        self._mark(pgettext("receipt mark", "Provisional"), x)

    def _mark(self, label: str, x: float):
        canvas = self.canvas
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(1.5)
        width = stringWidth(label, self.fonts.sans, 16) + 20
        canvas.rect(x, HEIGHT - MARGIN - 12, width, 28, stroke=1, fill=0)
        self.text(x + 10, HEIGHT - MARGIN - 3, label, size=16, font=self.fonts.sans, color=RED)

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
            # A provisional certificate covers the year up to the day it was issued, no further.
            end = (
                receipt.issued_at if receipt.is_provisional else datetime.date(receipt.year, 12, 31)
            )
            statement = _(
                "We certify that we received the donations below between %(start)s and %(end)s."
            ) % {
                "start": _date(datetime.date(receipt.year, 1, 1)),
                "end": _date(end),
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

    def issuer_lines(self) -> list[tuple[str, float, str]]:
        """Who received the gifts: the legal entity that runs the group (法人格 and legal name,
        on lines of their own), its representative as written in the settings (title and name,
        e.g. 理事長 山田 花子: no label added), then address and registration details. Each
        entry is (line, size, font), wrapped beside the seal box."""
        issuer = self.receipt.issuer
        serif, sans = self.fonts.serif, self.fonts.sans
        group = issuer.get("name", "")
        legal_name = issuer.get("legal_name") or group
        runs_group = legal_name != group
        if issuer.get("certification_date"):
            certified_on = _("Certified on %(date)s") % {
                "date": _date(issuer["certification_date"])
            }
        else:
            certified_on = ""
        entries = [
            (pgettext("receipt issuer", "Recipient of the donation"), 8.5, sans),
            (issuer.get("legal_form", ""), 12, serif),
            (legal_name, 12, serif),
            (_("(runs %(group)s)") % {"group": group} if runs_group else "", 8.5, serif),
            (issuer.get("representative", ""), 10.5, serif),
            (("〒" + issuer["postal_code"]) if issuer.get("postal_code") else "", 9, serif),
            (issuer.get("address", ""), 9, serif),
            (
                _("Phone %(phone)s") % {"phone": issuer["phone"]} if issuer.get("phone") else "",
                9,
                serif,
            ),
            (
                _("Corporate number %(number)s") % {"number": issuer["corporate_number"]}
                if issuer.get("corporate_number")
                else "",
                9,
                serif,
            ),
            (
                _("Certification %(number)s") % {"number": issuer["certification_number"]}
                if issuer.get("certification_number")
                else "",
                9,
                serif,
            ),
            (certified_on, 9, serif),
        ]
        width = WIDTH - MARGIN - SEAL_SIZE - 8 - ISSUER_X
        return [
            (line, size, font)
            for value, size, font in entries
            for line in _wrap(value, font, size, width)
            if line
        ]

    @staticmethod
    def height(lines) -> float:
        return sum(size + 5 for _line, size, _font in lines)

    def issuer(self, y: float, lines) -> None:
        self.seal(WIDTH - MARGIN - SEAL_SIZE, y - 14 - SEAL_SIZE)
        for line, size, font in lines:
            self.text(ISSUER_X, y, line, size=size, font=font)
            y -= size + 5

    def seal(self, x: float, y: float):
        """The organisation's seal image when the settings have one, else an empty square
        marked 印 to stamp by hand."""
        canvas = self.canvas
        image = pdf_image(self.receipt.issuer.get("seal_image"))
        if image is not None:
            canvas.drawImage(
                image, x, y, SEAL_SIZE, SEAL_SIZE, preserveAspectRatio=True, anchor="c", mask="auto"
            )
            return
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.6)
        canvas.rect(x, y, SEAL_SIZE, SEAL_SIZE, stroke=1, fill=0)
        self.text(
            x + SEAL_SIZE / 2, y + SEAL_SIZE / 2 - 4, "印", size=11, align="center", color=GREY
        )

    def footer_lines(self) -> list[str]:
        receipt = self.receipt
        notes = []
        if receipt.kind == Receipt.Kind.ANNUAL:
            notes.append(_("Membership fees are not donations and are not included."))
        if receipt.is_provisional:
            notes.append(
                _(
                    "Provisional: issued before %(year)s ended. Gifts received after %(date)s "
                    "are not included; the final certificate follows after the end of the year."
                )
                % {"year": receipt.year, "date": _date(receipt.issued_at)}
            )
        if receipt.issuer.get("receipt_note"):
            notes.append(receipt.issuer["receipt_note"])
        return [
            line
            for note in notes
            for line in _wrap(note, self.fonts.serif, 8.5, WIDTH - 2 * MARGIN)
        ]

    def footer_top(self) -> float:
        """The y just above the notes at the foot of the page (drawn bottom up)."""
        return MARGIN + 10 + 12 * len(self.footer_lines())

    def footer(self):
        receipt = self.receipt
        y = self.footer_top() - 12
        for line in self.footer_lines():
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
        receipt = self.receipt
        title = _("Donation certificate") if receipt.kind == Receipt.Kind.ANNUAL else _("Receipt")
        canvas.setTitle(f"{title} {receipt.number}")
        canvas.setAuthor(issuer_legal_name(receipt.issuer))
        canvas.setSubject(
            _("%(title)s for %(name)s, %(year)s")
            % {"title": title, "name": receipt.donor_name, "year": receipt.year}
        )
        canvas.setKeywords([title, receipt.number, str(receipt.year)])
        canvas.setCreator(receipt.issuer.get("name", ""))
        # Viewers show the title, not the file name (PDF/UA asks for this).
        canvas.setViewerPreference("DisplayDocTitle", "true")
        y = self.header()
        y = self.title_and_donor(y)
        y = self.amount(y)
        y = self.gifts(y)
        lines = self.issuer_lines()
        lowest = self.footer_top() + 10  # the issuer block ends above the notes
        needed = max(self.height(lines), SEAL_SIZE + 14)
        if y - needed < lowest:  # no room left for the issuer block on this page
            self.footer()
            canvas.showPage()
            self.page += 1
            y = self.header()
        self.issuer(min(y, lowest + needed), lines)
        self.footer()
        canvas.showPage()
        canvas.save()
        return self.buffer.getvalue()


def receipt_pdf_render(*, receipt: Receipt) -> bytes:
    """The receipt as PDF bytes, in Japanese whatever the current language."""
    with translation.override(RECEIPT_LANGUAGE):
        return _Drawer(receipt).render()

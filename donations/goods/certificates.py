"""感謝状 (certificate of thanks) PDFs: one per company (or person) per fiscal year.

A 感謝状 is a Japanese document, so its wording is Japanese whatever the staff member's admin
language. Fonts come from `core.pdf.pdf_fonts()` (embedded IPAex subsets), so the text can be
extracted and searched. The summary lists goods received per (category, unit), never adding
kilograms to items.
"""

import datetime
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from members.models import Supporter
from ouendan.core.models import OrganisationSettings
from ouendan.core.pdf import pdf_fonts

from .rules import quantity_display
from .selectors import GoodsTotal, goods_received_totals
from .vocabulary import CATEGORY_JA, UNIT_JA

FISCAL_YEAR_START_MONTH = 4  # 年度: April to March


@dataclass(frozen=True)
class FiscalYear:
    year: int
    start: datetime.date
    end: datetime.date  # inclusive


def fiscal_year_period(
    *, year: int | None = None, today: datetime.date | None = None
) -> FiscalYear:
    """The 年度 starting in April of `year`, or the one `today` falls in."""
    if year is None:
        today = today or timezone.localdate()
        year = today.year if today.month >= FISCAL_YEAR_START_MONTH else today.year - 1
    return FiscalYear(
        year=year,
        start=datetime.date(year, FISCAL_YEAR_START_MONTH, 1),
        end=datetime.date(year + 1, FISCAL_YEAR_START_MONTH, 1) - datetime.timedelta(days=1),
    )


def japanese_date(day: datetime.date) -> str:
    """2026-11-23 → 令和8年11月23日 (Reiwa began on 2019-05-01)."""
    if day >= datetime.date(2019, 5, 1):
        era_year = day.year - 2018
        era = "令和" + ("元" if era_year == 1 else str(era_year))
        return f"{era}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def goods_summary_lines(totals: list[GoodsTotal]) -> list[str]:
    """ "食品 1,234.5 kg", "文具 300 点"... one per (category, unit)."""
    return [
        f"{CATEGORY_JA.get(total.category, total.category)}　"
        f"{quantity_display(total.quantity)} {UNIT_JA.get(total.unit, total.unit)}"
        for total in totals
    ]


def certificate_filename(*, supporter: Supporter, year: int) -> str:
    return f"kanshajo-{year}-{supporter.pk}.pdf"


def certificate_pdf(
    *,
    supporter: Supporter,
    start: datetime.date,
    end: datetime.date,
    title_year: int | None = None,
    issued_on: datetime.date | None = None,
) -> bytes:
    """The 感謝状 for goods received from `supporter` between `start` and `end` (inclusive)."""
    fonts = pdf_fonts()
    issued_on = issued_on or timezone.localdate()
    totals = goods_received_totals(supporter=supporter, start=start, end=end)
    organisation = OrganisationSettings.for_default_site()
    org_name, representative = organisation.name, organisation.representative
    honorific = "貴社" if supporter.kind == Supporter.Kind.ORGANISATION else "貴殿"
    period = (
        f"{title_year}年度" if title_year is not None else ""
    ) + f"（{japanese_date(start)}〜{japanese_date(end)}）"

    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"感謝状 {supporter.display_name}")
    pdf.setAuthor(org_name)

    # A double frame, as on printed certificates.
    gold = HexColor("#9c7a2b")
    pdf.setStrokeColor(gold)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    pdf.setFillColor(HexColor("#222222"))
    pdf.setFont(fonts.serif, 40)
    pdf.drawCentredString(width / 2, height - 55 * mm, "感謝状")

    pdf.setFont(fonts.serif, 22)
    pdf.drawCentredString(width / 2, height - 80 * mm, f"{supporter.display_name}　様")

    body_style = ParagraphStyle(
        "body",
        fontName=fonts.serif,
        fontSize=14,
        leading=24,
        alignment=TA_LEFT,
        wordWrap="CJK",
    )
    body = (
        f"{honorific}におかれましては、{period}、"
        "私どもの子どもの居場所・フードバンク・ひとり親家庭への支援活動に、"
        "下記の物品をご寄付いただきました。"
    )
    paragraph = Paragraph(body, body_style)
    text_width = width - 60 * mm
    _w, used = paragraph.wrap(text_width, height)
    y = height - 100 * mm - used
    paragraph.drawOn(pdf, 30 * mm, y)

    y -= 12 * mm
    pdf.setFont(fonts.serif, 14)
    pdf.drawCentredString(width / 2, y, "記")
    y -= 11 * mm
    lines = goods_summary_lines(totals) or ["（この期間に受領した物品はありません）"]
    pdf.setFont(fonts.sans, 13)
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 8 * mm
    value = sum(total.estimated_value_yen for total in totals)
    if value:
        pdf.setFont(fonts.sans, 11)
        pdf.drawCentredString(width / 2, y, f"（見積評価額　合計 {value:,} 円）")
        y -= 8 * mm

    closing = ParagraphStyle("closing", parent=body_style, alignment=TA_LEFT)
    closing_text = (
        "お寄せいただいた物品は、地域の子どもたちと家庭のもとへ大切に届けさせていただきました。"
        "ここに深甚なる感謝の意を表します。"
    )
    paragraph = Paragraph(closing_text, closing)
    _w, used = paragraph.wrap(text_width, height)
    y -= used + 4 * mm
    paragraph.drawOn(pdf, 30 * mm, y)

    pdf.setFont(fonts.serif, 13)
    pdf.drawCentredString(width / 2, 62 * mm, japanese_date(issued_on))
    signature = ParagraphStyle(
        "signature", fontName=fonts.serif, fontSize=15, leading=22, alignment=TA_CENTER
    )
    signer = escape(org_name) + (f"<br/>{escape(representative)}" if representative else "")
    paragraph = Paragraph(signer, signature)
    _w, used = paragraph.wrap(text_width, height)
    paragraph.drawOn(pdf, 30 * mm, 52 * mm - used)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

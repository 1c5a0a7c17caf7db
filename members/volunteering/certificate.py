"""活動証明書: a certificate of a volunteer's approved hours for a period, as a PDF (Japanese fonts
from ouendan.core.pdf; no network)."""

import datetime
import io
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from wagtail.models import Site

from members.models import Supporter
from ouendan.core.models import OrganisationSettings
from ouendan.core.pdf import pdf_fonts

from .selectors import hours_between


def _jp_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def certificate_pdf(*, volunteer: Supporter, start: datetime.date, end: datetime.date) -> bytes:
    fonts = pdf_fonts()
    site = Site.objects.filter(is_default_site=True).first()
    organisation = OrganisationSettings.for_site(site) if site else None
    per_place: dict[str, int] = defaultdict(int)
    days = set()
    for entry in hours_between(volunteer=volunteer, start=start, end=end):
        per_place[entry.place.name] += entry.minutes
        days.add(entry.served_on)
    total = sum(per_place.values())

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Certificate of volunteer activity"))
    width, height = A4
    pdf.setFont(fonts.serif, 24)
    pdf.drawCentredString(width / 2, height - 40 * mm, "活動証明書")
    pdf.setFont(fonts.serif, 14)
    pdf.drawString(25 * mm, height - 60 * mm, f"{volunteer.display_name} 様")
    pdf.setFont(fonts.serif, 11)
    lines = [
        f"期間: {_jp_date(start)} 〜 {_jp_date(end)}",
        f"活動日数: {len(days)}日",
        f"活動時間: 合計 {total / 60:.1f} 時間",
    ]
    y = height - 75 * mm
    for line in lines:
        pdf.drawString(25 * mm, y, line)
        y -= 8 * mm
    y -= 4 * mm
    pdf.setFont(fonts.sans, 10)
    for place, minutes in sorted(per_place.items()):
        pdf.drawString(30 * mm, y, place)
        pdf.drawRightString(width - 30 * mm, y, f"{minutes / 60:.1f} 時間")
        y -= 6 * mm
        if y < 60 * mm:
            pdf.showPage()
            pdf.setFont(fonts.sans, 10)
            y = height - 30 * mm
    pdf.setFont(fonts.serif, 11)
    pdf.drawString(25 * mm, 45 * mm, "上記のとおり、ボランティア活動に従事したことを証明します。")
    pdf.drawString(25 * mm, 35 * mm, _jp_date(timezone.localdate()))
    if organisation is not None:
        pdf.drawRightString(width - 25 * mm, 25 * mm, organisation.legal_entity)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

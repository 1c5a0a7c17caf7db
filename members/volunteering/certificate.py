"""活動証明書: a certificate of a volunteer's approved hours for a period, as a PDF (Japanese fonts
from ouendan.core.pdf; no network), written in the volunteer's language (Japanese unless they
chose another the site has)."""

import datetime
import io
from collections import defaultdict

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from wagtail.models import Site

from members.mail import supporter_language
from members.models import Supporter
from ouendan.core.display import local_date
from ouendan.core.models import OrganisationSettings
from ouendan.core.pdf import pdf_fonts

from .selectors import hours_between


def _hours(minutes: int) -> str:
    return _("%(hours)s hours") % {"hours": f"{minutes / 60:.1f}"}


def certificate_pdf(*, volunteer: Supporter, start: datetime.date, end: datetime.date) -> bytes:
    with translation.override(supporter_language(volunteer)):
        return _certificate_pdf(volunteer=volunteer, start=start, end=end)


def _certificate_pdf(*, volunteer: Supporter, start: datetime.date, end: datetime.date) -> bytes:
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
    pdf.drawCentredString(width / 2, height - 40 * mm, _("Certificate of volunteer activity"))
    pdf.setFont(fonts.serif, 14)
    pdf.drawString(25 * mm, height - 60 * mm, _("To: %(name)s") % {"name": volunteer.display_name})
    pdf.setFont(fonts.serif, 11)
    lines = [
        _("Period: %(start)s to %(end)s")
        % {"start": local_date(start, full_month=True), "end": local_date(end, full_month=True)},
        _("Days of activity: %(days)s") % {"days": len(days)},
        _("Hours of activity: %(hours)s in total") % {"hours": _hours(total)},
    ]
    y = height - 75 * mm
    for line in lines:
        pdf.drawString(25 * mm, y, line)
        y -= 8 * mm
    y -= 4 * mm
    pdf.setFont(fonts.sans, 10)
    for place, minutes in sorted(per_place.items()):
        pdf.drawString(30 * mm, y, place)
        pdf.drawRightString(width - 30 * mm, y, _hours(minutes))
        y -= 6 * mm
        if y < 60 * mm:
            pdf.showPage()
            pdf.setFont(fonts.sans, 10)
            y = height - 30 * mm
    pdf.setFont(fonts.serif, 11)
    pdf.drawString(
        25 * mm, 45 * mm, _("We certify that the above person volunteered with us as stated.")
    )
    pdf.drawString(25 * mm, 35 * mm, local_date(timezone.localdate(), full_month=True))
    if organisation is not None:
        pdf.drawRightString(width - 25 * mm, 25 * mm, organisation.legal_entity)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

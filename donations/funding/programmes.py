"""Revenue by programme: what the gifts of a period were given for.

Gifts (one-off and monthly, net of refunds, in the Tokyo months paid) per programme staff
defined (donations.Programme); a gift without one went "where most needed". Membership fees
are income, not gifts to a cause, and are left out. Two queries whatever the period: the gifts
grouped by programme, and the active programmes (shown even with nothing yet).
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Sum

from donations.models import MOST_NEEDED, Donation, Programme

from .months import month_start_at


@dataclass(frozen=True)
class ProgrammeRevenue:
    programme_id: int | None  # None: where most needed
    name: str
    gifts: int
    amount_yen: int
    share: float | None  # of the period's gifts


def revenue_by_programme(*, start: datetime.date, end: datetime.date) -> list[ProgrammeRevenue]:
    """Per programme (in the programmes' order, "where most needed" last), for the months
    start..end."""
    totals = {
        row["programme_id"]: (row["gifts"], row["net"])
        for row in Donation.objects.filter(
            paid_at__gte=month_start_at(start),
            paid_at__lt=month_start_at(end + relativedelta(months=1)),
            amount_yen__gt=F("refunded_yen"),
        )
        .exclude(kind=Donation.Kind.MEMBERSHIP)
        .order_by()
        .values("programme_id")
        .annotate(gifts=Count("pk"), net=Sum(F("amount_yen") - F("refunded_yen")))
    }
    named = [pk for pk in totals if pk is not None]
    programmes = Programme.objects.filter(active=True) | Programme.objects.filter(pk__in=named)
    total = sum(net for _gifts, net in totals.values())
    rows = []
    for programme in programmes.order_by("sort_order", "name_ja"):
        gifts, net = totals.get(programme.pk, (0, 0))
        rows.append(
            ProgrammeRevenue(
                programme.pk, programme.name, gifts, net, net / total if total else None
            )
        )
    gifts, net = totals.get(None, (0, 0))
    rows.append(
        ProgrammeRevenue(None, str(MOST_NEEDED), gifts, net, net / total if total else None)
    )
    return rows

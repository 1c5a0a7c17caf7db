"""The impact page (活動の成果): a year's figures counted from the data, the use of funds (使途)
by programme, goods against the wishlist, stories, annual reports and calls to action.

The page model lives in home/models.py, its blocks in home/blocks.py; this module computes
what its year panel shows. The year panel is rendered on the server for
`?year=2025` (the form works without JavaScript); home/static/home/js/impact_year.js swaps it
in place without a reload where scripts run.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from donations.goods.models import WishlistItem
from donations.goods.selectors import wishlist_progress
from donations.selectors import gifts_by_programme

from .impact import FIGURES, TOKYO, _live_figures, impact_figures, impact_period, impact_years


@dataclass(frozen=True)
class FundsRow:
    name: str
    amount_yen: int
    percent: int
    entered_by_staff: bool


def _year_bounds(year: int | None, today: datetime.date) -> tuple[datetime.datetime | None, ...]:
    if year is None:
        end = today + datetime.timedelta(days=1)
        return None, datetime.datetime(end.year, end.month, end.day, tzinfo=TOKYO)
    return (
        datetime.datetime(year, 1, 1, tzinfo=TOKYO),
        datetime.datetime(year + 1, 1, 1, tzinfo=TOKYO),
    )


def use_of_funds(*, spending, year: int | None, today: datetime.date) -> list[FundsRow]:
    """Gifts per programme from the ledger, and what staff entered for the year where the ledger
    has nothing for that programme (or for costs no programme covers)."""
    start, end = _year_bounds(year, today)
    ledger = gifts_by_programme(start=start, end=min(end, timezone.now()))
    rows = [(row.name, row.net_yen, False) for row in ledger]
    in_ledger = {row.programme_id for row in ledger if row.programme_id is not None}
    for entry in spending:
        if year is not None and entry.year != year:
            continue
        if entry.programme_id and entry.programme_id in in_ledger:
            continue  # the ledger knows this one: never counted twice
        name = entry.programme.name if entry.programme_id else entry.label
        rows.append((name, entry.amount_yen, True))
    total = sum(amount for _name, amount, _staff in rows)
    return [
        FundsRow(
            name=name,
            amount_yen=amount,
            percent=round(amount * 100 / total) if total else 0,
            entered_by_staff=staff,
        )
        for name, amount, staff in rows
    ]


def impact_panel(*, page, request) -> dict:
    """What the year panel shows: the chosen year (`?year=`) or this year, every year once."""
    today = timezone.localdate()
    years = impact_years(today=today)
    raw = request.GET.get("year", "") if request is not None else ""
    if raw == "all":
        year = None
    elif raw.isdigit() and int(raw) in years:
        year = int(raw)
    else:
        year = today.year
    period = impact_period(choice="all", today=today, year=year)
    items = list(WishlistItem.objects.filter(active=True).order_by("sort_order", "name", "pk"))
    return {
        "impact_years": years,
        "impact_year": year,
        "impact_this_year": today.year,
        "impact_period": period,
        "impact_figures": _live_figures(impact_figures(period=period), FIGURES),
        "impact_funds": use_of_funds(spending=page.spending.all(), year=year, today=today),
        "impact_goods": wishlist_progress(items=items, today=today),
    }

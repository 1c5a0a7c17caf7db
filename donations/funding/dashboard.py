"""The funding dashboard's figures laid out as tables (shared by the page and the CSV exports)
and as charts. The figures come from selectors.py and runway.py."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from ouendan.core.exports import CSV_CONTENT_TYPE, spreadsheet_csv, spreadsheet_response

from .charts import PALETTE, Series, bar_chart, line_chart
from .forms import MAX_MONTHS, DashboardRangeForm
from .models import FundingSettings
from .months import month_floor, month_list
from .programmes import ProgrammeRevenue, revenue_by_programme
from .runway import FundingBalance, funding_balance, trend_months
from .selectors import (
    LapsedDonor,
    MonthDonors,
    MonthRecurring,
    MonthRevenue,
    lapsed_donors,
    monthly_donor_movement,
    recurring_revenue_of,
    revenue_by_source,
)


@dataclass(frozen=True)
class DashboardRange:
    start: datetime.date
    end: datetime.date
    year: int


def dashboard_range(form: DashboardRangeForm, *, today: datetime.date) -> DashboardRange:
    """The chosen months, or the last 12 months (this month included) when nothing or
    something invalid was chosen (the form then shows why)."""
    this_month = month_floor(today)
    start, end, year = None, None, None
    if form.is_bound and form.is_valid():
        start, end, year = (form.cleaned_data[k] for k in ("start", "end", "year"))
    end = month_floor(end) if end else this_month
    start = month_floor(start) if start else end - relativedelta(months=11)
    if start > end or len(month_list(start=start, end=end)) > MAX_MONTHS:
        start, end = this_month - relativedelta(months=11), this_month
    return DashboardRange(start=start, end=end, year=year or today.year)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    kinds: list[str]  # per column: "text", "yen", "count", "percent"
    # Per row: the month has not ended (Tokyo); its figures are still filling up.
    in_progress: list[bool] | None = None

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(heading, kind) per column, for the template."""
        return list(zip(self.headers, self.kinds, strict=True))

    @property
    def body(self) -> list[tuple[list[tuple], bool]]:
        """Rows of (cell, kind) pairs with their in-progress flag, for the template (which
        would otherwise look each cell's kind up by its position)."""
        flags = self.in_progress or [False] * len(self.rows)
        return [
            (list(zip(row, self.kinds, strict=True)), flag)
            for row, flag in zip(self.rows, flags, strict=True)
        ]


def month_label(month: datetime.date) -> str:
    return f"{month.year}-{month.month:02d}"


def in_progress_label() -> str:
    return pgettext("month", "in progress")


def month_cell(month: datetime.date, in_progress: bool) -> str:
    """A table's month cell: "2026-12 (in progress)" while the month has not ended."""
    label = month_label(month)
    return f"{label} ({in_progress_label()})" if in_progress else label


def goal_label() -> str:
    """The line at the running costs: a target, not a status."""
    return gettext("Goal (monthly running costs)")


def _ratio(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


TABLE_KEYS = ("recurring", "revenue", "donors", "programmes", "balance", "lybunt", "sybunt")


def dashboard_tables(
    *,
    rng: DashboardRange,
    today: datetime.date,
    settings: FundingSettings,
    only: str | None = None,
    lapsed_limit: int | None = None,
):
    """Every report of the page, or `only` the table of that key (a CSV export: the other
    reports are not computed, balance and lapsed are then None unless that table needs them).
    The lapsed donor tables hold the first `lapsed_limit` donors of each list (all without).
    A fixed number of queries, whatever the size of the ledger and the length of the period."""
    wanted = set(TABLE_KEYS) if only is None else {only}
    costs = settings.monthly_running_costs_yen
    months = month_list(start=rng.start, end=rng.end)
    tables, balance, lapsed = {}, None, None
    if wanted & {"recurring", "balance"}:
        # One pass for the period and the grant exit's last complete months (often the same).
        trend_at = trend_months(today) if "balance" in wanted else []
        both = recurring_revenue_of(
            months=(months if "recurring" in wanted else []) + trend_at, today=today
        )
        by_month = {m.month: m for m in both}
        if "recurring" in wanted:
            tables["recurring"] = _recurring_table([by_month[m] for m in months], costs)
        if "balance" in wanted:
            balance = funding_balance(
                today=today,
                running_costs_yen=costs,
                grant_end=settings.grant_end_date,
                trend=[by_month[m] for m in trend_at],
            )
            tables["balance"] = _balance_table(balance, costs)
    if "revenue" in wanted:
        tables["revenue"] = _revenue_table(
            revenue_by_source(start=rng.start, end=rng.end, today=today)
        )
    if "donors" in wanted:
        tables["donors"] = _donors_table(
            monthly_donor_movement(start=rng.start, end=rng.end, today=today)
        )
    if "programmes" in wanted:
        tables["programmes"] = _programmes_table(revenue_by_programme(start=rng.start, end=rng.end))
    if wanted & {"lybunt", "sybunt"}:
        lapsed = lapsed_donors(year=rng.year, limit=lapsed_limit)
        for key in wanted & {"lybunt", "sybunt"}:
            tables[key] = _lapsed_table(key, getattr(lapsed, key))
    return {key: tables[key] for key in TABLE_KEYS if key in tables}, balance, lapsed


def _recurring_table(recurring: list[MonthRecurring], costs: int) -> Table:
    return Table(
        "recurring",
        gettext("Monthly recurring revenue"),
        [
            gettext("Month"),
            gettext("Monthly gifts"),
            gettext("Membership fees (spread)"),
            gettext("Recurring revenue"),
            gettext("Share of running costs"),
        ],
        [
            [
                month_cell(m.month, m.in_progress),
                m.monthly_gifts,
                m.membership_fees,
                m.total,
                _ratio(m.total / costs) if costs and not m.in_progress else None,
            ]
            for m in recurring
        ],
        ["text", "yen", "yen", "yen", "percent"],
        [m.in_progress for m in recurring],
    )


def _revenue_table(revenue: list[MonthRevenue]) -> Table:
    return Table(
        "revenue",
        gettext("Revenue by source"),
        [
            gettext("Month"),
            gettext("Membership fees"),
            gettext("Monthly gifts"),
            gettext("One-off gifts"),
            gettext("Corporate gifts"),
            gettext("In-kind value"),
            gettext("Grant income"),
            gettext("Own income"),
            gettext("Total"),
        ],
        [
            [
                month_cell(m.month, m.in_progress),
                m.membership_fees,
                m.monthly_gifts,
                m.one_off_gifts,
                m.corporate_gifts,
                m.in_kind_value,
                m.grant_income,
                m.own_income,
                m.total,
            ]
            for m in revenue
        ],
        ["text"] + ["yen"] * 8,
        [m.in_progress for m in revenue],
    )


def _donors_table(donors: list[MonthDonors]) -> Table:
    return Table(
        "donors",
        gettext("Monthly donors"),
        [
            gettext("Month"),
            gettext("Active"),
            gettext("New"),
            gettext("Recovered"),
            gettext("Lost"),
            gettext("Retention"),
        ],
        [
            [
                month_cell(m.month, m.in_progress),
                m.active,
                m.new,
                m.recovered,
                m.lost,
                _ratio(m.retention),
            ]
            for m in donors
        ],
        ["text", "count", "count", "count", "count", "percent"],
        [m.in_progress for m in donors],
    )


def _programmes_table(programmes: list[ProgrammeRevenue]) -> Table:
    return Table(
        "programmes",
        gettext("Gifts by programme"),
        [gettext("Programme"), gettext("Gifts"), gettext("Amount"), gettext("Share")],
        [[p.name, p.gifts, p.amount_yen, _ratio(p.share)] for p in programmes],
        ["text", "count", "yen", "percent"],
    )


def _balance_table(balance: FundingBalance, costs: int) -> Table:
    return Table(
        "balance",
        gettext("Funding balance: the last 12 complete months"),
        [
            gettext("Month"),
            gettext("Own recurring income"),
            gettext("Running costs"),
            gettext("Share of running costs"),
        ],
        [
            [month_label(m.month), m.total, costs, _ratio(balance.coverage(m))]
            for m in balance.trend
        ],
        ["text", "yen", "yen", "percent"],
    )


def _lapsed_table(key: str, donors: list[LapsedDonor]) -> Table:
    title = {
        "lybunt": gettext("Gave last year, not yet this year"),
        "sybunt": gettext("Gave in earlier years, not last year nor this year"),
    }[key]
    return Table(
        key,
        title,
        [gettext("Donor"), gettext("Email"), gettext("Last gift"), gettext("Lifetime total")],
        [
            [
                d.name or f"#{d.supporter_id}",
                d.email,
                timezone.localdate(d.last_gift_at).isoformat(),
                d.lifetime_yen,
            ]
            for d in donors
        ],
        ["text", "text", "text", "yen"],
    )


def dashboard_charts(tables: dict[str, Table], costs: int, *, rng: DashboardRange) -> dict:
    """The charts of the tables. Months still in progress are drawn pale and marked under the
    axis; the month labels are the bare months (the tables spell out "in progress")."""
    recurring, revenue, donors, balance, programmes = (
        tables[k] for k in ("recurring", "revenue", "donors", "balance", "programmes")
    )
    labels = [month_label(m) for m in month_list(start=rng.start, end=rng.end)]
    pending = {i for i, flag in enumerate(recurring.in_progress or []) if flag}
    marker = in_progress_label()
    column = lambda table, n: [row[n] or 0 for row in table.rows]  # noqa: E731
    return {
        "recurring": bar_chart(
            title=recurring.title,
            labels=labels,
            series=[
                Series(recurring.headers[1], column(recurring, 1), PALETTE[0]),
                Series(recurring.headers[2], column(recurring, 2), PALETTE[1]),
            ],
            line=Series(goal_label(), [costs] * len(labels), PALETTE[3]) if costs else None,
            pending=pending,
            pending_label=marker,
        ),
        "revenue": bar_chart(
            title=revenue.title,
            labels=labels,
            series=[
                Series(revenue.headers[n], column(revenue, n), PALETTE[n - 1]) for n in range(1, 7)
            ],
            pending=pending,
            pending_label=marker,
        ),
        "donors": bar_chart(
            title=donors.title,
            labels=labels,
            series=[
                Series(donors.headers[2], column(donors, 2), PALETTE[2]),
                Series(donors.headers[3], column(donors, 3), PALETTE[0]),
                Series(donors.headers[4], column(donors, 4), PALETTE[3]),
            ],
            stacked=False,
            pending=pending,
            pending_label=marker,
        ),
        "programmes": bar_chart(
            title=programmes.title,
            labels=[row[0] for row in programmes.rows],
            series=[Series(programmes.headers[2], column(programmes, 2), PALETTE[2])],
        ),
        "balance": line_chart(
            title=balance.title,
            labels=[row[0] for row in balance.rows],
            series=[
                Series(balance.headers[3], column(balance, 3), PALETTE[0]),
                Series(goal_label(), [1.0] * len(balance.rows), PALETTE[3]),
            ],
            percent=True,
        )
        if costs
        else None,
    }


def table_csv(table: Table, *, filename: str) -> HttpResponse:
    """One table as CSV for Excel: byte-order mark, every cell (headings too) formula-safe."""
    return spreadsheet_response(
        spreadsheet_csv([table.headers, *table.rows]),
        filename=filename,
        content_type=CSV_CONTENT_TYPE,
    )

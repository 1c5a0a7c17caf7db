"""The grant exit (財源バランス): how much of the running costs the group's own recurring income
covers, and when a straight line through the last months reaches them (the runway)."""

import datetime
import math
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from .months import month_floor, month_list
from .selectors import MonthRecurring, recurring_revenue

TREND_MONTHS = 12
RUNWAY_HORIZON_MONTHS = 120


@dataclass(frozen=True)
class Runway:
    """When own recurring income is projected to cover the running costs.

    status: "no_costs" (running costs not entered), "self_sufficient" (the last complete month
    already covered them), "projected" (`month` is the first month the trend line reaches the
    costs), "beyond_horizon" (rising, but reaching the costs only after RUNWAY_HORIZON_MONTHS)
    or "never" (the trend is flat or falling)."""

    status: str
    month: datetime.date | None = None
    slope_yen: float = 0.0
    months_after_grant_end: int | None = None


@dataclass(frozen=True)
class FundingBalance:
    running_costs_yen: int
    trend: list[MonthRecurring]
    runway: Runway
    grant_end: datetime.date | None = None

    @property
    def last_month(self) -> MonthRecurring | None:
        return self.trend[-1] if self.trend else None

    def coverage(self, recurring: MonthRecurring) -> float | None:
        return recurring.total / self.running_costs_yen if self.running_costs_yen else None

    @property
    def coverage_now(self) -> float | None:
        return self.coverage(self.last_month) if self.last_month else None


def _least_squares(values: list[int]) -> tuple[float, float]:
    """(intercept, slope) of the straight line through (0, v0), (1, v1)..."""
    n = len(values)
    if n < 2:
        return (float(values[0]) if values else 0.0), 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def runway_project(
    *,
    trend: list[MonthRecurring],
    running_costs_yen: int,
    grant_end: datetime.date | None = None,
) -> Runway:
    """Fit a straight line (least squares) through the monthly recurring revenue of the trend
    months and find the first month at which the line reaches the running costs."""
    if running_costs_yen <= 0:
        return Runway(status="no_costs")
    if not trend:
        return Runway(status="never")
    values = [m.total for m in trend]
    intercept, slope = _least_squares(values)
    last_index, last_month = len(values) - 1, trend[-1].month
    if values[-1] >= running_costs_yen:
        return Runway(status="self_sufficient", month=last_month, slope_yen=slope)
    if slope <= 0:
        return Runway(status="never", slope_yen=slope)
    fitted_last = intercept + slope * last_index
    ahead = max(1, math.ceil((running_costs_yen - fitted_last) / slope))
    if ahead > RUNWAY_HORIZON_MONTHS:
        return Runway(status="beyond_horizon", slope_yen=slope)
    month = last_month + relativedelta(months=ahead)
    after = None
    if grant_end:
        gap = relativedelta(month, month_floor(grant_end))
        after = gap.years * 12 + gap.months
    return Runway(status="projected", month=month, slope_yen=slope, months_after_grant_end=after)


def trend_months(today: datetime.date) -> list[datetime.date]:
    """The last TREND_MONTHS complete months (the current month is still filling up)."""
    last = month_floor(today) - relativedelta(months=1)
    return month_list(start=last - relativedelta(months=TREND_MONTHS - 1), end=last)


def funding_balance(
    *,
    today: datetime.date,
    running_costs_yen: int,
    grant_end: datetime.date | None = None,
    trend: list[MonthRecurring] | None = None,
) -> FundingBalance:
    """Coverage of running costs by own recurring income over the trend_months(today), and the
    projected runway. Two queries, none when the caller passes the `trend` (the recurring
    revenue of those months) it already has."""
    if trend is None:
        months = trend_months(today)
        trend = recurring_revenue(start=months[0], end=months[-1])
    return FundingBalance(
        running_costs_yen=running_costs_yen,
        trend=trend,
        runway=runway_project(
            trend=trend, running_costs_yen=running_costs_yen, grant_end=grant_end
        ),
        grant_end=grant_end,
    )

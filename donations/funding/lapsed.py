"""Lapsed donors: gave before, not yet this year (LYBUNT and SYBUNT), with last year's donor
retention. Calendar years in Tokyo time; any gift or fee counts, net of refunds (a fully
refunded gift makes nobody a donor); an anonymous gift (collection box) is nobody's. Donors who
may not be contacted (NOT_CONTACTABLE) are left out of the lists, not out of the retention.

One query whatever the size of the ledger, ranked and counted in the database: the retention
counts and the lists (the first `limit` of each, newest last gift first, with their lengths).
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from donations.models import Donation
from donations.receipts.selectors import year_bounds
from members.models import NOT_CONTACTABLE, Supporter
from members.models.supporters import display_name


@dataclass(frozen=True)
class LapsedDonor:
    supporter_id: int
    name: str
    email: str
    last_gift_at: datetime.datetime
    lifetime_yen: int


@dataclass
class LapsedDonors:
    year: int
    # The first `limit` of each list (all of them without a limit), newest last gift first.
    lybunt: list[LapsedDonor] = field(default_factory=list)
    sybunt: list[LapsedDonor] = field(default_factory=list)
    lybunt_count: int = 0
    sybunt_count: int = 0
    last_year_donors: int = 0
    retained: int = 0

    @property
    def retention(self) -> float | None:
        """Share of last year's donors who gave again this year."""
        return self.retained / self.last_year_donors if self.last_year_donors else None


def _aware(value) -> datetime.datetime:
    """MAX(paid_at) from a raw cursor: SQLite gives the stored text (UTC), PostgreSQL a
    datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value


# One pass over the ledger: per-donor totals (the ORM's query), summed into the retention
# counts (the last row), and the lapsed donors among them joined to their names, ranked and
# counted in their list (1: LYBUNT, 0: SYBUNT). Only the rows shown come back. Raw SQL around
# the ORM's query: Django cannot rank and filter a join onto an aggregated subquery. Runs on
# PostgreSQL and SQLite (3.25+) alike.
_LAPSED_SQL = """
    WITH per AS ({per}),
    lapsed AS (
        SELECT CASE WHEN per.last_year > 0 THEN 1 ELSE 0 END AS list, per.supporter_id,
            per.last_gift_at, per.lifetime,
            s.kind, s.family_name, s.given_name, s.organisation_name, s.email
        FROM per
        JOIN {supporters} s ON s.id = per.supporter_id
        WHERE per.this_year = 0 AND s.status NOT IN ({not_contactable})
    )
    SELECT list, supporter_id, last_gift_at, lifetime, kind, family_name, given_name,
        organisation_name, email, rn, listed, NULL, NULL
    FROM (
        SELECT lapsed.*,
            ROW_NUMBER() OVER (
                PARTITION BY list ORDER BY last_gift_at DESC, supporter_id DESC
            ) AS rn,
            COUNT(*) OVER (PARTITION BY list) AS listed
        FROM lapsed
    ) ranked
    {limit}
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        SUM(CASE WHEN last_year > 0 THEN 1 ELSE 0 END),
        SUM(CASE WHEN last_year > 0 AND this_year > 0 THEN 1 ELSE 0 END)
    FROM per
"""


def lapsed_donors(*, year: int, limit: int | None = None) -> LapsedDonors:
    """LYBUNT (gave Last Year But Unfortunately Not This year) and SYBUNT (Some Years But
    Unfortunately Not This year: gave before last year, not last year, not this year) for
    `year`, the first `limit` of each list (every one without), their lengths, and last year's
    donor retention. Gifts after `year` do not count."""
    this_start, next_start = year_bounds(year)
    last_start, _ = year_bounds(year - 1)
    per = (
        Donation.objects.filter(
            amount_yen__gt=F("refunded_yen"),
            paid_at__lt=next_start,
            supporter__isnull=False,  # an anonymous gift (collection box) is nobody's
        )
        .order_by()
        .values("supporter_id")
        .annotate(
            this_year=Count("pk", filter=Q(paid_at__gte=this_start)),
            last_year=Count("pk", filter=Q(paid_at__gte=last_start, paid_at__lt=this_start)),
            last_gift_at=Max("paid_at"),
            lifetime=Sum(F("amount_yen") - F("refunded_yen")),
        )
    )
    per_sql, params = per.query.sql_with_params()
    sql = _LAPSED_SQL.format(
        per=per_sql,
        supporters=connection.ops.quote_name(Supporter._meta.db_table),
        not_contactable=", ".join(["%s"] * len(NOT_CONTACTABLE)),
        limit="WHERE rn <= %s" if limit is not None else "",
    )
    params = (*params, *NOT_CONTACTABLE, *([limit] if limit is not None else []))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = LapsedDonors(year=year)
    for row in sorted(rows, key=lambda row: (row[0] is None, row[9] or 0)):
        lapsed, supporter_id, last_gift_at, lifetime, *name, email, _rank, listed = row[:11]
        if lapsed is None:  # the counts
            result.last_year_donors, result.retained = int(row[11] or 0), int(row[12] or 0)
            continue
        donor = LapsedDonor(
            supporter_id=supporter_id,
            name=display_name(*name),
            email=email,
            last_gift_at=_aware(last_gift_at),
            lifetime_yen=int(lifetime),
        )
        if lapsed:
            result.lybunt.append(donor)
            result.lybunt_count = listed
        else:
            result.sybunt.append(donor)
            result.sybunt_count = listed
    return result

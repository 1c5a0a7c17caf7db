"""Reads of goods: fulfilment, totals, overdue deliveries, the corporate wall.

Each answers in a constant number of queries, whatever the number of pledges or items.
Totals are grouped by (category, unit), so kilograms are never added to items.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from members.models import ConsentRecord, Supporter

from .models import (
    PLEDGE_OPEN_STATES,
    CorporateWallEntry,
    DeliveryLine,
    ExpectedDelivery,
    Pledge,
    PledgeLine,
    WishlistItem,
)
from .rules import HUNDRED, ZERO, pledge_due_dates
from .vocabulary import GoodsCategory, GoodsUnit

# --- Overdue deliveries: one rule for the list, its column, both filters and any count -----------


def overdue_condition(*, today: datetime.date | None = None, prefix: str = "") -> Q:
    """An expected delivery is overdue when it is still expected (not delivered or cancelled),
    its date has passed, and its pledge is still open (a declined, cancelled or fulfilled pledge
    owes nothing). `prefix` reaches the expected delivery through a relation."""
    today = today or timezone.localdate()
    return Q(
        **{
            f"{prefix}status": ExpectedDelivery.Status.OPEN,
            f"{prefix}due_on__lt": today,
            f"{prefix}pledge__state__in": PLEDGE_OPEN_STATES,
        }
    )


def expected_deliveries_mark_overdue(queryset, *, today: datetime.date | None = None):
    """The expected deliveries with `overdue` (True/False) computed by the one rule."""
    return queryset.annotate(
        overdue=ExpressionWrapper(overdue_condition(today=today), output_field=BooleanField())
    )


def deliveries_overdue(*, today: datetime.date | None = None):
    """Expected deliveries whose date has passed with nothing received, oldest first."""
    return (
        ExpectedDelivery.objects.filter(overdue_condition(today=today))
        .select_related("pledge__supporter")
        .order_by("due_on", "pk")
    )


def deliveries_overdue_count(*, today: datetime.date | None = None) -> int:
    """How many expected deliveries are overdue (the staff home). One query."""
    return ExpectedDelivery.objects.filter(overdue_condition(today=today)).count()


def pledges_awaiting_review_count() -> int:
    """Pledges offered and not yet accepted or declined by staff. One query."""
    return Pledge.objects.filter(state=Pledge.State.OFFERED).count()


def pledges_with_overdue(queryset, *, today: datetime.date | None = None):
    """The pledges of `queryset` with at least one overdue delivery."""
    overdue = ExpectedDelivery.objects.filter(overdue_condition(today=today), pledge=OuterRef("pk"))
    return queryset.filter(Exists(overdue))


# --- Fulfilment and totals (constant numbers of queries) -----------------------------------------


def received_by_pledge_line(*, pledge_ids: list[int]) -> dict[int, Decimal]:
    rows = (
        DeliveryLine.objects.filter(pledge_line__pledge_id__in=pledge_ids)
        .filter(unit=F("pledge_line__unit"))
        .values("pledge_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["pledge_line_id"]: row["total"] for row in rows}


def percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return ZERO
    return (min(part / whole, Decimal(1)) * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


def pledges_fulfilment(*, pledge_ids: list[int]) -> dict[int, Decimal]:
    """Pledge id → percent fulfilled (0–100, one decimal). Two queries for any number.

    Each pledged line counts equally: received ÷ pledged (× the number of deliveries of a
    recurring pledge), capped at 100 %, so kilograms and items never add up with each other.
    """
    if not pledge_ids:
        return {}
    received = received_by_pledge_line(pledge_ids=pledge_ids)
    lines = PledgeLine.objects.filter(pledge_id__in=pledge_ids).values(
        "pk",
        "pledge_id",
        "quantity",
        "pledge__recurrence",
        "pledge__first_delivery_on",
        "pledge__recurrence_until",
    )
    fractions: dict[int, list[Decimal]] = defaultdict(list)
    for line in lines:
        count = max(
            len(
                pledge_due_dates(
                    recurrence=line["pledge__recurrence"],
                    first=line["pledge__first_delivery_on"],
                    until=line["pledge__recurrence_until"],
                )
            ),
            1,
        )
        promised = line["quantity"] * count
        fractions[line["pledge_id"]].append(
            min(received.get(line["pk"], ZERO) / promised, Decimal(1))
        )
    return {
        pledge_id: (sum(parts) / len(parts) * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for pledge_id, parts in fractions.items()
    }


def pledge_fulfilment(*, pledge: Pledge) -> Decimal:
    return pledges_fulfilment(pledge_ids=[pledge.pk]).get(pledge.pk, ZERO)


def _period(queryset, *, prefix: str, start, end):
    if start is not None:
        queryset = queryset.filter(**{f"{prefix}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{prefix}__lte": end})
    return queryset


def wishlist_received(
    *,
    item_ids: list[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, Decimal]:
    """Wishlist item id → quantity received (in the item's own unit; goods received in another
    unit are not counted). Every id asked for is in the answer. One query; `end` inclusive."""
    result = dict.fromkeys(item_ids, ZERO)
    if not item_ids:
        return result
    rows = _period(
        DeliveryLine.objects.filter(wishlist_item_id__in=item_ids, unit=F("wishlist_item__unit")),
        prefix="delivery__received_on",
        start=start,
        end=end,
    )
    for row in rows.values("wishlist_item_id").annotate(total=Sum("quantity")):
        result[row["wishlist_item_id"]] = row["total"]
    return result


def wishlist_fulfilment(
    *,
    item_ids: list[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, Decimal]:
    """Wishlist item id → percent of the needed quantity received (capped at 100). Two queries."""
    received = wishlist_received(item_ids=item_ids, start=start, end=end)
    needed = dict(WishlistItem.objects.filter(pk__in=item_ids).values_list("pk", "quantity_needed"))
    return {pk: percent(received[pk], needed[pk]) for pk in item_ids if pk in needed}


# --- Goods progress: the one definition the campaign, the wishlist and the impact page use -------


@dataclass(frozen=True)
class GoodsProgress:
    """Goods received for one wishlist item against a target, in the item's own unit."""

    item_id: int
    name: str
    unit: str  # a GoodsUnit value
    unit_label: str
    received: Decimal
    target: Decimal

    @property
    def percent(self) -> Decimal:
        return percent(self.received, self.target)

    @property
    def percent_whole(self) -> int:
        """For bars and short labels: rounded down, so 99.9 % never shows as done."""
        return int(self.percent)


def goods_progress(
    *,
    goals: list[tuple[WishlistItem, Decimal | None]],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[GoodsProgress]:
    """Goods progress: what was received (deliveries recorded against the wishlist item, in
    its unit, between `start` and `end` inclusive) against a target (the goal's, else the
    quantity the item needs). Every page that shows goods progress asks this. One query."""
    ids = [item.pk for item, _target in goals]
    received = wishlist_received(item_ids=ids, start=start, end=end)
    return [
        GoodsProgress(
            item_id=item.pk,
            name=item.name,
            unit=item.unit,
            unit_label=str(item.get_unit_display()),
            received=received.get(item.pk, ZERO),
            target=target or item.quantity_needed,
        )
        for item, target in goals
    ]


def wishlist_listed_on(item: WishlistItem) -> datetime.date:
    return timezone.localtime(item.created_at).date()


def wishlist_progress(
    *, items: list[WishlistItem], today: datetime.date | None = None
) -> list[GoodsProgress]:
    """The wishlist's progress: each item's goods received since it was put on the list, against
    the quantity it needs (goods_progress). One query per distinct listing date."""
    today = today or timezone.localdate()
    by_start: dict[datetime.date, list[WishlistItem]] = defaultdict(list)
    for item in items:
        by_start[wishlist_listed_on(item)].append(item)
    rows: dict[int, GoodsProgress] = {}
    for start, group in by_start.items():
        for row in goods_progress(goals=[(item, None) for item in group], start=start, end=today):
            rows[row.item_id] = row
    return [rows[item.pk] for item in items]


@dataclass(frozen=True)
class GoodsTotal:
    category: str
    unit: str
    quantity: Decimal
    estimated_value_yen: int


def goods_received_totals(
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    campaign_id: int | None = None,
    supporter: Supporter | None = None,
) -> list[GoodsTotal]:
    """Goods received per (category, unit) in a period (`end` inclusive), optionally for one
    campaign or one supporter (the 感謝状's summary): one row per pair, never mixing units.
    One query. Sorted by category then unit."""
    rows = _period(DeliveryLine.objects.all(), prefix="delivery__received_on", start=start, end=end)
    if campaign_id is not None:
        rows = rows.filter(delivery__pledge__campaign_id=campaign_id)
    if supporter is not None:
        rows = rows.filter(delivery__pledge__supporter=supporter)
    rows = rows.values("category", "unit").annotate(
        quantity=Sum("quantity"), value=Coalesce(Sum("estimated_value_yen"), 0)
    )
    categories, units = list(GoodsCategory.values), list(GoodsUnit.values)
    totals = [
        GoodsTotal(
            category=row["category"],
            unit=row["unit"],
            quantity=row["quantity"],
            estimated_value_yen=int(row["value"]),
        )
        for row in rows
    ]
    return sorted(
        totals,
        key=lambda t: (
            categories.index(t.category) if t.category in categories else 99,
            units.index(t.unit) if t.unit in units else 99,
        ),
    )


def goods_value_by_month(*, start: datetime.date, end: datetime.date) -> dict[datetime.date, int]:
    """The estimated in-kind value received per month (first day → yen) between two dates
    (`end` inclusive): yen can be added up across units. One query."""
    rows = (
        _period(DeliveryLine.objects.all(), prefix="delivery__received_on", start=start, end=end)
        .annotate(month=TruncMonth("delivery__received_on"))
        .values("month")
        .annotate(value=Coalesce(Sum("estimated_value_yen"), 0))
        .order_by()
    )
    return {row["month"]: int(row["value"]) for row in rows}


# --- Corporate supporters wall -------------------------------------------------------------------


def corporate_wall_entries() -> list[CorporateWallEntry]:
    """Entries whose company currently consents to the wall, in staff order. One query."""
    latest = ConsentRecord.objects.filter(
        supporter=OuterRef("supporter_id"), kind=ConsentRecord.Kind.SUPPORTERS_WALL
    ).order_by("-recorded_at", "-pk")
    return list(
        CorporateWallEntry.objects.annotate(consent=Subquery(latest.values("granted")[:1]))
        .filter(
            consent=True,
            supporter__status=Supporter.Status.ACTIVE,
            supporter__kind=Supporter.Kind.ORGANISATION,
        )
        .select_related("supporter", "logo")
        .prefetch_related("logo__renditions")  # the logo thumbnails without a query each
        .order_by("sort_order", "pk")
    )

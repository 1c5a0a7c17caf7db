"""In-kind pledges: the rules for goods pledged, delivered, counted and thanked.

Views, the admin, imports and tasks call these functions; nothing changes pledges another way.
Every function is keyword-only and named <entity>_<action>. Quantities are Decimal and always
travel with their unit: totals are grouped by (category, unit), so kilograms are never added to
items. Value estimates are whole yen.

State machine (`PLEDGE_TRANSITIONS`):

    offered → accepted → scheduled → partly delivered → fulfilled
    offered → declined;  offered / accepted / scheduled / partly delivered → cancelled

Deliveries may be recorded for accepted, scheduled, partly delivered and fulfilled pledges; a
delivery bringing more than was pledged is kept and flagged, never refused.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from home.mail import email_queue
from home.models import OutgoingEmail
from members.models import ConsentRecord, Supporter

from .models import (
    PLEDGE_OPEN_STATES,
    CorporateWallEntry,
    Delivery,
    DeliveryLine,
    ExpectedDelivery,
    GoodsCategory,
    GoodsUnit,
    Pledge,
    PledgeLine,
    WishlistItem,
)

State = Pledge.State
ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")

# Anything above these in one line is almost certainly a typo (a unit mix-up, extra zeros).
MAX_QUANTITY = {
    GoodsUnit.KG: Decimal("20000"),  # 20 t
    GoodsUnit.LITRES: Decimal("20000"),
    GoodsUnit.ITEMS: Decimal("100000"),
    GoodsUnit.BOXES: Decimal("5000"),
}
WHOLE_UNITS = {GoodsUnit.ITEMS, GoodsUnit.BOXES}
MAX_VALUE_YEN = 10_000_000
MAX_LINES = 20
MAX_RECURRENCE_DAYS = 3 * 366  # a recurring pledge runs at most about three years
RECURRENCE_MONTHS = {Pledge.Recurrence.MONTHLY: 1, Pledge.Recurrence.QUARTERLY: 3}
EXPECTED_HORIZON = datetime.timedelta(days=100)  # expected deliveries are listed this far ahead

MSG_QUANTITY_POSITIVE = _("Enter a quantity above zero.")
MSG_QUANTITY_INVALID = _("Enter the quantity as a number, like 12 or 2.5.")
MSG_QUANTITY_TOO_LARGE = _(
    "%(quantity)s %(unit)s looks too large for one line (at most %(max)s). Check the unit, "
    "or split it into several lines."
)
MSG_QUANTITY_WHOLE = _("Count %(unit)s in whole numbers.")
MSG_QUANTITY_DECIMALS = _("Use at most two decimal places.")
MSG_VALUE_NEGATIVE = _("Enter the estimated value in whole yen, zero or more.")
MSG_VALUE_TOO_LARGE = _("The estimated value looks too large (at most ¥%(max)s per line).")
MSG_UNIT_MISMATCH = _(
    "“%(item)s” on the wishlist is counted in %(unit)s: enter the quantity in %(unit)s."
)
MSG_CATEGORY_MISMATCH = _("“%(item)s” on the wishlist is in the category %(category)s.")
MSG_WISHLIST_UNKNOWN = _("This wishlist item is no longer available.")
MSG_BEST_BEFORE_PAST = _("The best-before date %(date)s has already passed.")
MSG_BEST_BEFORE_ON_ARRIVAL = _(
    "The best-before date %(date)s had passed when the goods arrived. Do not count expired "
    "food as received; write it in the note instead."
)
MSG_BEST_BEFORE_SHORT = _(
    "“%(item)s” should keep at least %(days)s days after it reaches us; this keeps %(left)s."
)
MSG_DESCRIPTION_REQUIRED = _("Say what the goods are.")
MSG_NO_LINES = _("Add at least one kind of goods.")
MSG_TOO_MANY_LINES = _("At most %(max)s kinds of goods per pledge; send another pledge for more.")
MSG_UNTIL_REQUIRED = _("Say until when the goods will come.")
MSG_UNTIL_BEFORE_START = _("The last date must come after the first delivery.")
MSG_UNTIL_TOO_FAR = _("A recurring pledge can run for at most three years.")
MSG_FIRST_DELIVERY_PAST = _("The first delivery date has already passed.")
MSG_PICKUP_ADDRESS = _("Give the address where we should pick the goods up.")
MSG_PICKUP_WINDOW = _("Give the days and times when we can pick the goods up.")
MSG_REASON_REQUIRED = _("Give a reason; it is kept with the pledge.")
MSG_SCHEDULE_DATE = _("Choose the date of the (first) delivery.")
MSG_PLEDGE_LINE_OTHER = _("These goods belong to another pledge.")
MSG_PLEDGE_LINE_UNIT = _("These goods were pledged in %(unit)s: enter the quantity in %(unit)s.")
MSG_RECEIVED_FUTURE = _("The goods cannot be received in the future.")
MSG_RECEIVED_BY = _("Say who received the goods.")
MSG_OVER_PLEDGED = _(
    "More %(description)s arrived than pledged: %(received)s of %(pledged)s %(unit)s. "
    "Kept and flagged."
)

# One message per action: each reads naturally in Japanese.
MSG_STATE = {
    "accept": _("This pledge is %(state)s, so it cannot be accepted."),
    "schedule": _("This pledge is %(state)s, so it cannot be scheduled."),
    "decline": _("This pledge is %(state)s, so it cannot be declined."),
    "cancel": _("This pledge is %(state)s, so it cannot be called off."),
    "deliver": _("This pledge is %(state)s, so no delivery can be recorded for it."),
}
PLEDGE_TRANSITIONS: dict[str, frozenset[str]] = {
    "accept": frozenset({State.OFFERED}),
    # Partly delivered: a recurring pledge whose goods came before staff set its first date.
    "schedule": frozenset({State.ACCEPTED, State.SCHEDULED, State.PARTLY_DELIVERED}),
    "decline": frozenset({State.OFFERED}),
    "cancel": frozenset({State.OFFERED, *PLEDGE_OPEN_STATES}),
    "deliver": frozenset({*PLEDGE_OPEN_STATES, State.FULFILLED}),
}


# --- Goods lines and their checks ----------------------------------------------------------------


@dataclass
class GoodsLine:
    """One kind of goods as typed in a form or a spreadsheet row, before it is stored."""

    category: str
    description: str
    quantity: Decimal
    unit: str
    estimated_value_yen: int = 0
    best_before: datetime.date | None = None
    wishlist_item_id: int | None = None
    pledge_line_id: int | None = None  # deliveries: the pledged goods this line brings


def quantity_parse(value) -> Decimal:
    """A quantity from a form or a spreadsheet cell ("2.5", "１２", 12.0) as Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    text = str(value if value is not None else "").strip().replace(",", "")
    text = text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        raise ValidationError(MSG_QUANTITY_INVALID, code="invalid") from None
    if not quantity.is_finite():
        raise ValidationError(MSG_QUANTITY_INVALID, code="invalid")
    return quantity


def unit_label(unit: str) -> str:
    return str(GoodsUnit(unit).label) if unit in GoodsUnit.values else unit


def quantity_display(quantity: Decimal) -> str:
    """12.50 → "12.5", 3.00 → "3", with thousands separators."""
    quantity = quantity.normalize()
    text = f"{quantity:,f}"
    return text


def _quantity_errors(quantity: Decimal, unit: str) -> list:
    if quantity <= 0:
        return [ValidationError(MSG_QUANTITY_POSITIVE, code="min")]
    errors = []
    limit = MAX_QUANTITY.get(unit)
    if limit is not None and quantity > limit:
        errors.append(
            ValidationError(
                MSG_QUANTITY_TOO_LARGE,
                code="max",
                params={
                    "quantity": quantity_display(quantity),
                    "unit": unit_label(unit),
                    "max": quantity_display(limit),
                },
            )
        )
    if unit in WHOLE_UNITS and quantity != quantity.to_integral_value():
        errors.append(
            ValidationError(MSG_QUANTITY_WHOLE, code="whole", params={"unit": unit_label(unit)})
        )
    elif quantity != quantity.quantize(CENT):
        errors.append(ValidationError(MSG_QUANTITY_DECIMALS, code="decimals"))
    return errors


def goods_line_errors(
    *,
    line: GoodsLine,
    wishlist: dict[int, WishlistItem],
    today: datetime.date,
    received_on: datetime.date | None = None,
) -> dict[str, list[ValidationError]]:
    """Field name → problems of one goods line. Empty when the line can be stored.

    `wishlist` holds the items the line may refer to (load them once for many lines).
    `received_on` is set for delivered goods: best-before is then checked against arrival.
    """
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    if not (line.description or "").strip():
        errors["description"].append(ValidationError(MSG_DESCRIPTION_REQUIRED, code="required"))
    errors["quantity"].extend(_quantity_errors(line.quantity, line.unit))
    value = line.estimated_value_yen or 0
    if value < 0:
        errors["estimated_value_yen"].append(ValidationError(MSG_VALUE_NEGATIVE, code="min"))
    elif value > MAX_VALUE_YEN:
        errors["estimated_value_yen"].append(
            ValidationError(MSG_VALUE_TOO_LARGE, code="max", params={"max": f"{MAX_VALUE_YEN:,}"})
        )
    item = None
    if line.wishlist_item_id is not None:
        item = wishlist.get(line.wishlist_item_id)
        if item is None:
            errors["wishlist_item"].append(ValidationError(MSG_WISHLIST_UNKNOWN, code="invalid"))
        else:
            if item.unit != line.unit:
                errors["unit"].append(
                    ValidationError(
                        MSG_UNIT_MISMATCH,
                        code="unit",
                        params={"item": item.name, "unit": item.get_unit_display()},
                    )
                )
            if item.category != line.category:
                errors["category"].append(
                    ValidationError(
                        MSG_CATEGORY_MISMATCH,
                        code="category",
                        params={"item": item.name, "category": item.get_category_display()},
                    )
                )
    if line.best_before is not None:
        if received_on is not None and line.best_before < received_on:
            errors["best_before"].append(
                ValidationError(
                    MSG_BEST_BEFORE_ON_ARRIVAL,
                    code="expired",
                    params={"date": line.best_before.isoformat()},
                )
            )
        elif received_on is None and line.best_before < today:
            errors["best_before"].append(
                ValidationError(
                    MSG_BEST_BEFORE_PAST,
                    code="expired",
                    params={"date": line.best_before.isoformat()},
                )
            )
        elif received_on is None and item is not None and item.min_best_before_days:
            left = (line.best_before - today).days
            if left < item.min_best_before_days:
                errors["best_before"].append(
                    ValidationError(
                        MSG_BEST_BEFORE_SHORT,
                        code="short",
                        params={"item": item.name, "days": item.min_best_before_days, "left": left},
                    )
                )
    return {name: problems for name, problems in errors.items() if problems}


def wishlist_by_id(*, ids: Iterable[int | None]) -> dict[int, WishlistItem]:
    wanted = {pk for pk in ids if pk is not None}
    return WishlistItem.objects.in_bulk(wanted) if wanted else {}


def _raise_line_errors(lines: list[GoodsLine], errors: list[dict]) -> None:
    """One ValidationError naming each bad line: "line 2, quantity: ..."."""
    messages = []
    for number, (line_errors, _line) in enumerate(zip(errors, lines, strict=True), start=1):
        for name, problems in line_errors.items():
            for problem in problems:
                text = problem.message % problem.params if problem.params else problem.message
                messages.append(f"{number}: {name}: {text}")
    if messages:
        raise ValidationError(messages)


# --- Schedules -----------------------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pledge_due_dates(
    *, recurrence: str, first: datetime.date | None, until: datetime.date | None
) -> list[datetime.date]:
    """Every date a delivery is due. One-time pledges: the first date (if known)."""
    if first is None:
        return []
    months = RECURRENCE_MONTHS.get(recurrence)
    if months is None or until is None:
        return [first]
    dates, step = [], 0
    while (day := _add_months(first, months * step)) <= until and step < 100:
        dates.append(day)
        step += 1
    return dates


def pledge_delivery_count(pledge: Pledge) -> int:
    """How many deliveries the whole pledge promises (a one-time pledge: one)."""
    dates = pledge_due_dates(
        recurrence=pledge.recurrence, first=pledge.first_delivery_on, until=pledge.recurrence_until
    )
    return max(len(dates), 1)


def pledge_schedule_errors(
    *,
    recurrence: str,
    first_delivery_on: datetime.date | None,
    recurrence_until: datetime.date | None,
    delivery_method: str,
    pickup_address: str,
    pickup_window: str,
    today: datetime.date,
) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    if first_delivery_on is not None and first_delivery_on < today:
        errors["first_delivery_on"].append(ValidationError(MSG_FIRST_DELIVERY_PAST, code="past"))
    if recurrence != Pledge.Recurrence.ONCE:
        if recurrence_until is None:
            errors["recurrence_until"].append(ValidationError(MSG_UNTIL_REQUIRED, code="required"))
        else:
            start = first_delivery_on or today
            if recurrence_until <= start:
                errors["recurrence_until"].append(
                    ValidationError(MSG_UNTIL_BEFORE_START, code="order")
                )
            elif (recurrence_until - start).days > MAX_RECURRENCE_DAYS:
                errors["recurrence_until"].append(ValidationError(MSG_UNTIL_TOO_FAR, code="max"))
    if delivery_method == Pledge.DeliveryMethod.PICK_UP:
        if not pickup_address.strip():
            errors["pickup_address"].append(ValidationError(MSG_PICKUP_ADDRESS, code="required"))
        if not pickup_window.strip():
            errors["pickup_window"].append(ValidationError(MSG_PICKUP_WINDOW, code="required"))
    return {name: problems for name, problems in errors.items() if problems}


# --- Offering and the state machine --------------------------------------------------------------


def pledge_offer(
    *,
    supporter: Supporter,
    lines: list[GoodsLine],
    recurrence: str = Pledge.Recurrence.ONCE,
    first_delivery_on: datetime.date | None = None,
    recurrence_until: datetime.date | None = None,
    delivery_method: str = Pledge.DeliveryMethod.DROP_OFF,
    pickup_address: str = "",
    pickup_window: str = "",
    message: str = "",
    campaign_id: int | None = None,
    source: str = Pledge.Source.WEB,
    contact_as_submitted: str = "",
    import_reference: str = "",
    accepted: bool = False,
    created_at: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> Pledge:
    """A new pledge in state "offered", after checking every line and the schedule.

    Raises ValidationError (nothing stored) when anything is wrong; forms run the same checks
    first so visitors see the messages by their fields. Imports of past pledges pass the day
    they were offered as `today` (checks apply as of then), and `accepted=True` for pledges
    already accepted at the time: no thank-you e-mail is sent for those.
    """
    today = today or timezone.localdate()
    if not lines:
        raise ValidationError(MSG_NO_LINES, code="required")
    if len(lines) > MAX_LINES:
        raise ValidationError(MSG_TOO_MANY_LINES, code="max", params={"max": MAX_LINES})
    wishlist = wishlist_by_id(ids=(line.wishlist_item_id for line in lines))
    _raise_line_errors(
        lines, [goods_line_errors(line=line, wishlist=wishlist, today=today) for line in lines]
    )
    schedule_errors = pledge_schedule_errors(
        recurrence=recurrence,
        first_delivery_on=first_delivery_on,
        recurrence_until=recurrence_until,
        delivery_method=delivery_method,
        pickup_address=pickup_address,
        pickup_window=pickup_window,
        today=today,
    )
    if schedule_errors:
        raise ValidationError(schedule_errors)
    with transaction.atomic():
        pledge = Pledge.objects.create(
            supporter=supporter,
            recurrence=recurrence,
            first_delivery_on=first_delivery_on,
            recurrence_until=recurrence_until if recurrence != Pledge.Recurrence.ONCE else None,
            delivery_method=delivery_method,
            pickup_address=pickup_address
            if delivery_method == Pledge.DeliveryMethod.PICK_UP
            else "",
            pickup_window=pickup_window if delivery_method == Pledge.DeliveryMethod.PICK_UP else "",
            message=message,
            campaign_id=campaign_id,
            source=source,
            contact_as_submitted=contact_as_submitted,
            import_reference=import_reference,
            state=State.ACCEPTED if accepted else State.OFFERED,
            accepted_at=(created_at or timezone.now()) if accepted else None,
            created_at=created_at or timezone.now(),
            state_changed_at=created_at or timezone.now(),
        )
        PledgeLine.objects.bulk_create(
            PledgeLine(
                pledge=pledge,
                wishlist_item_id=line.wishlist_item_id,
                category=line.category,
                description=line.description.strip(),
                quantity=line.quantity,
                unit=line.unit,
                estimated_value_yen=line.estimated_value_yen or 0,
                best_before=line.best_before,
                sort_order=number,
            )
            for number, line in enumerate(lines)
        )
    return pledge


def _locked(pledge: Pledge, action: str) -> Pledge:
    """The pledge row locked for update, or ValidationError when `action` is not allowed now."""
    locked = Pledge.objects.select_for_update().select_related("supporter").get(pk=pledge.pk)
    if locked.state not in PLEDGE_TRANSITIONS[action]:
        raise ValidationError(
            # The lazy label: the message reads in whichever language it is shown in.
            MSG_STATE[action],
            code="state",
            params={"state": Pledge.State(locked.state).label},
        )
    return locked


def _set_state(pledge: Pledge, state: str, by, **fields) -> Pledge:
    pledge.state = state
    pledge.state_changed_at = timezone.now()
    pledge.state_changed_by = by
    for name, value in fields.items():
        setattr(pledge, name, value)
    pledge.save(update_fields=["state", "state_changed_at", "state_changed_by", *fields])
    return pledge


def pledge_accept(*, pledge: Pledge, by=None) -> Pledge:
    """Staff accept an offered pledge; the pledger is thanked by e-mail (once)."""
    with transaction.atomic():
        pledge = _locked(pledge, "accept")
        _set_state(pledge, State.ACCEPTED, by, accepted_at=timezone.now())
        inkind_thanks_queue(kind="accepted", pledge=pledge)
    return pledge


def pledge_schedule(
    *,
    pledge: Pledge,
    first_delivery_on: datetime.date,
    by=None,
    today: datetime.date | None = None,
) -> Pledge:
    """Fix the date of the (first) delivery; expected deliveries are listed from it."""
    today = today or timezone.localdate()
    if first_delivery_on is None:
        raise ValidationError(MSG_SCHEDULE_DATE, code="required")
    with transaction.atomic():
        pledge = _locked(pledge, "schedule")
        errors = pledge_schedule_errors(
            recurrence=pledge.recurrence,
            first_delivery_on=first_delivery_on,
            recurrence_until=pledge.recurrence_until,
            delivery_method=pledge.delivery_method,
            pickup_address=pledge.pickup_address,
            pickup_window=pledge.pickup_window,
            today=today,
        )
        errors.pop("pickup_address", None)
        errors.pop("pickup_window", None)
        if errors:
            raise ValidationError(errors)
        # A new date replaces the open expectations of the old one; delivered ones stay.
        pledge.expected_deliveries.filter(status=ExpectedDelivery.Status.OPEN).delete()
        state = State.PARTLY_DELIVERED if pledge.deliveries.exists() else State.SCHEDULED
        _set_state(pledge, state, by, first_delivery_on=first_delivery_on)
        expected_deliveries_generate(pledge=pledge, today=today)
    return pledge


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(MSG_REASON_REQUIRED, code="required")]})
    return reason


def pledge_decline(*, pledge: Pledge, reason: str, by=None) -> Pledge:
    reason = _require_reason(reason)
    with transaction.atomic():
        pledge = _locked(pledge, "decline")
        return _set_state(pledge, State.DECLINED, by, reason=reason)


def pledge_cancel(*, pledge: Pledge, reason: str, by=None) -> Pledge:
    """Stop a pledge (the pledger withdrew, or we cannot take it). What arrived stays counted;
    open expected deliveries are cancelled."""
    reason = _require_reason(reason)
    with transaction.atomic():
        pledge = _locked(pledge, "cancel")
        pledge.expected_deliveries.filter(status=ExpectedDelivery.Status.OPEN).update(
            status=ExpectedDelivery.Status.CANCELLED
        )
        return _set_state(pledge, State.CANCELLED, by, reason=reason)


# --- Deliveries ----------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    delivery: Delivery
    warnings: list[str] = field(default_factory=list)

    @property
    def over_pledged(self) -> bool:
        return self.delivery.over_pledged


def delivery_errors(
    *,
    pledge: Pledge,
    lines: list[GoodsLine],
    received_on: datetime.date | None,
    received_by: str,
    today: datetime.date | None = None,
) -> tuple[dict[str, list], list[dict[str, list]]]:
    """(errors of the delivery itself, errors of each line). Both empty: it can be recorded."""
    today = today or timezone.localdate()
    errors: dict[str, list] = defaultdict(list)
    if received_on is None:
        errors["received_on"].append(ValidationError(MSG_SCHEDULE_DATE, code="required"))
    elif received_on > today:
        errors["received_on"].append(ValidationError(MSG_RECEIVED_FUTURE, code="future"))
    if not (received_by or "").strip():
        errors["received_by"].append(ValidationError(MSG_RECEIVED_BY, code="required"))
    if not lines:
        errors["__all__"].append(ValidationError(MSG_NO_LINES, code="required"))
    pledged = {line.pk: line for line in pledge.lines.all()}
    wishlist = wishlist_by_id(ids=(line.wishlist_item_id for line in lines))
    line_errors = []
    for line in lines:
        problems = goods_line_errors(
            line=line, wishlist=wishlist, today=today, received_on=received_on or today
        )
        if line.pledge_line_id is not None:
            pledged_line = pledged.get(line.pledge_line_id)
            if pledged_line is None:
                problems.setdefault("pledge_line", []).append(
                    ValidationError(MSG_PLEDGE_LINE_OTHER, code="invalid")
                )
            elif pledged_line.unit != line.unit:
                problems.setdefault("unit", []).append(
                    ValidationError(
                        MSG_PLEDGE_LINE_UNIT,
                        code="unit",
                        params={"unit": pledged_line.get_unit_display()},
                    )
                )
        line_errors.append(problems)
    return {k: v for k, v in errors.items() if v}, line_errors


def delivery_record(
    *,
    pledge: Pledge,
    received_on: datetime.date,
    received_by: str,
    lines: list[GoodsLine],
    condition: str = Delivery.Condition.GOOD,
    note: str = "",
    recorded_by=None,
    import_reference: str = "",
    thank: bool = True,
    today: datetime.date | None = None,
) -> DeliveryResult:
    """Record goods received for a pledge, move its state on and thank the pledger (once).

    A line with `pledge_line_id` counts towards that pledged line (same unit required); lines
    without one are extras. Receiving more than pledged is kept and flagged (`over_pledged`).
    Imports of past deliveries pass `thank=False`: they were thanked at the time.
    """
    with transaction.atomic():
        pledge = _locked(pledge, "deliver")
        errors, line_errors = delivery_errors(
            pledge=pledge,
            lines=lines,
            received_on=received_on,
            received_by=received_by,
            today=today,
        )
        if errors:
            raise ValidationError(errors)
        _raise_line_errors(lines, line_errors)

        pledged = {line.pk: line for line in pledge.lines.all()}
        received_before = _received_by_pledge_line(pledge_ids=[pledge.pk])
        count = pledge_delivery_count(pledge)
        delivery = Delivery.objects.create(
            pledge=pledge,
            received_on=received_on,
            received_by=received_by.strip(),
            condition=condition,
            note=note,
            recorded_by=recorded_by,
            import_reference=import_reference,
        )
        warnings: list[str] = []
        rows = []
        this_delivery: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in lines:
            pledged_line = pledged.get(line.pledge_line_id) if line.pledge_line_id else None
            over = False
            if pledged_line is not None:
                this_delivery[pledged_line.pk] += line.quantity
                total = received_before.get(pledged_line.pk, ZERO) + this_delivery[pledged_line.pk]
                promised = pledged_line.quantity * count
                if total > promised:
                    over = True
                    warnings.append(
                        str(MSG_OVER_PLEDGED)
                        % {
                            "description": pledged_line.description,
                            "received": quantity_display(total),
                            "pledged": quantity_display(promised),
                            "unit": pledged_line.get_unit_display(),
                        }
                    )
            rows.append(
                DeliveryLine(
                    delivery=delivery,
                    pledge_line=pledged_line,
                    wishlist_item_id=(
                        line.wishlist_item_id
                        or (pledged_line.wishlist_item_id if pledged_line else None)
                    ),
                    category=pledged_line.category if pledged_line else line.category,
                    description=(line.description or "").strip()
                    or (pledged_line.description if pledged_line else ""),
                    quantity=line.quantity,
                    unit=line.unit,
                    estimated_value_yen=line.estimated_value_yen or 0,
                    best_before=line.best_before,
                    over_pledged=over,
                )
            )
        DeliveryLine.objects.bulk_create(rows)
        if any(row.over_pledged for row in rows):
            delivery.over_pledged = True
            delivery.save(update_fields=["over_pledged"])

        expected = (
            pledge.expected_deliveries.filter(status=ExpectedDelivery.Status.OPEN)
            .order_by("due_on")
            .first()
        )
        if expected is not None:
            expected.status = ExpectedDelivery.Status.DELIVERED
            expected.delivery = delivery
            expected.save(update_fields=["status", "delivery"])

        if pledge.state != State.FULFILLED:
            # A recurring pledge without its first date has no known number of deliveries yet:
            # it stays partly delivered until staff schedule it.
            unknown_count = (
                pledge.recurrence != Pledge.Recurrence.ONCE and not pledge.first_delivery_on
            )
            complete = not unknown_count and (
                pledges_fulfilment(pledge_ids=[pledge.pk]).get(pledge.pk, ZERO) >= HUNDRED
            )
            _set_state(pledge, State.FULFILLED if complete else State.PARTLY_DELIVERED, recorded_by)
        if thank:
            inkind_thanks_queue(kind="delivery", delivery=delivery)
    return DeliveryResult(delivery=delivery, warnings=warnings)


# --- Expected and overdue deliveries -------------------------------------------------------------


def expected_deliveries_generate(*, pledge: Pledge, today: datetime.date | None = None) -> int:
    """Add the expected deliveries of a scheduled pledge due within the next ~100 days.

    Idempotent: one row per pledge and date (unique constraint), so running it again, or from
    two workers, adds nothing. Returns how many rows were added.
    """
    today = today or timezone.localdate()
    if pledge.state not in (State.SCHEDULED, State.PARTLY_DELIVERED):
        return 0
    horizon = today + EXPECTED_HORIZON
    dates = [
        day
        for day in pledge_due_dates(
            recurrence=pledge.recurrence,
            first=pledge.first_delivery_on,
            until=pledge.recurrence_until,
        )
        if day <= horizon
    ]
    existing = set(pledge.expected_deliveries.values_list("due_on", flat=True))
    # Dates before the latest delivery were covered by it (or are history), never "overdue".
    latest = pledge.deliveries.aggregate(latest=Max("received_on"))["latest"]
    new = [
        ExpectedDelivery(pledge=pledge, due_on=day)
        for day in dates
        if day not in existing and (latest is None or day > latest)
    ]
    ExpectedDelivery.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def expected_deliveries_generate_all(*, today: datetime.date | None = None) -> int:
    """The periodic task: extend every scheduled pledge's expected deliveries."""
    added = 0
    pledges = Pledge.objects.filter(
        state__in=(State.SCHEDULED, State.PARTLY_DELIVERED), first_delivery_on__isnull=False
    )
    for pledge in pledges.iterator():
        added += expected_deliveries_generate(pledge=pledge, today=today)
    return added


def deliveries_overdue(*, today: datetime.date | None = None):
    """Expected deliveries whose date has passed with nothing received, oldest first."""
    today = today or timezone.localdate()
    return (
        ExpectedDelivery.objects.filter(
            status=ExpectedDelivery.Status.OPEN,
            due_on__lt=today,
            pledge__state__in=PLEDGE_OPEN_STATES,
        )
        .select_related("pledge__supporter")
        .order_by("due_on", "pk")
    )


# --- Fulfilment and totals (constant numbers of queries) -----------------------------------------


def _received_by_pledge_line(*, pledge_ids: list[int]) -> dict[int, Decimal]:
    rows = (
        DeliveryLine.objects.filter(pledge_line__pledge_id__in=pledge_ids)
        .filter(unit=F("pledge_line__unit"))
        .values("pledge_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["pledge_line_id"]: row["total"] for row in rows}


def _percent(part: Decimal, whole: Decimal) -> Decimal:
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
    received = _received_by_pledge_line(pledge_ids=pledge_ids)
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
    return {pk: _percent(received[pk], needed[pk]) for pk in item_ids if pk in needed}


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


# --- Thanks --------------------------------------------------------------------------------------

THANKS_KINDS = ("accepted", "delivery")


def _goods_lines_text(lines) -> str:
    return "\n".join(
        f"- {line.description}: {quantity_display(line.quantity)} {line.get_unit_display()}"
        for line in lines
    )


def inkind_thanks_queue(
    *, kind: str, pledge: Pledge | None = None, delivery: Delivery | None = None
):
    """Queue the thank-you e-mail for an accepted pledge or a delivery, through the outbox.

    A delivery is thanked with the staff's "In-kind delivery" thank-you template (campaigns/
    thanks.py; {items} lists the goods) and logged there like every other thank-you. Keys name the
    pledge or delivery, so however often this runs, each is thanked once. Returns the
    OutgoingEmail, or None when the supporter has no usable address.
    """
    if kind not in THANKS_KINDS:
        raise ValueError(f"Unknown thanks kind: {kind}")
    if kind == "delivery":
        if delivery is None:
            raise ValueError("delivery is required")
        from campaigns.models import ThankYouKind
        from campaigns.thanks import thanks_queue

        supporter = delivery.pledge.supporter
        with translation.override(supporter.preferred_language or "ja"):
            items = _goods_lines_text(delivery.lines.all())
        log, _created = thanks_queue(
            kind=ThankYouKind.INKIND_DELIVERY,
            supporter=supporter,
            context={"day": delivery.received_on, "items": items},
            key=f"delivery:{delivery.pk}",
        )
        return log.email
    if pledge is None:
        raise ValueError("pledge is required")
    supporter = pledge.supporter
    if not supporter.email or supporter.status not in (
        Supporter.Status.PENDING,
        Supporter.Status.ACTIVE,
    ):
        return None
    language = supporter.preferred_language or "ja"
    with translation.override(language):
        context = {
            "supporter": supporter,
            "pledge": pledge,
            "lines": [
                {
                    "description": line.description,
                    "quantity": quantity_display(line.quantity),
                    "unit": str(line.get_unit_display()),
                }
                for line in pledge.lines.all()
            ],
        }
        subject = render_to_string("donations/email/inkind_accepted_subject.txt", context).strip()
        body = render_to_string("donations/email/inkind_accepted_body.txt", context)
    message, _created = email_queue(
        key=f"inkind:accepted:{pledge.pk}",
        to=supporter.email,
        subject=subject,
        body=body,
        supporter=supporter,
        category=OutgoingEmail.Category.GENERAL,  # goods, not money: Member staff handle them
    )
    return message


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


def corporate_wall_add(*, supporter: Supporter) -> CorporateWallEntry:
    """Put a company on the wall list (placed last); it shows only while it consents."""
    entry = CorporateWallEntry.objects.filter(supporter=supporter).first()
    if entry is not None:
        return entry
    last = CorporateWallEntry.objects.aggregate(last=Max("sort_order"))["last"]
    return CorporateWallEntry.objects.create(
        supporter=supporter, sort_order=(last + 1) if last is not None else 0
    )

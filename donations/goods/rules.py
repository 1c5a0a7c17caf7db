"""The rules of goods, as pure checks: limits, messages, quantities with their units, the
schedule of a recurring pledge and the pledge state machine.

Services (writes), forms and the import run these same checks, so a visitor, a staff member and
a spreadsheet row get the same messages. Quantities are Decimal and always travel with their
unit: kilograms are never added to items. Value estimates are whole yen.

State machine (`PLEDGE_TRANSITIONS`):

    offered → accepted → scheduled → partly delivered → fulfilled
    offered → declined;  offered / accepted / scheduled / partly delivered → cancelled

Deliveries may be recorded for accepted, scheduled, partly delivered and fulfilled pledges; a
delivery bringing more than was pledged is kept and flagged, never refused.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ouendan.core.text import public_date

from .models import PLEDGE_OPEN_STATES, Pledge, WishlistItem
from .vocabulary import GoodsUnit

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
MSG_SCHEDULE_LOCKED = _("This pledge is %(state)s, so how often it comes can no longer change.")
# How often and until when a pledge comes may change while it is offered or still open.
PLEDGE_SCHEDULE_EDITABLE = frozenset({State.OFFERED, *PLEDGE_OPEN_STATES})
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
                    params={"date": public_date(line.best_before)},
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


def raise_line_errors(lines: list[GoodsLine], errors: list[dict]) -> None:
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


def pledge_due_dates(
    *, recurrence: str, first: datetime.date | None, until: datetime.date | None
) -> list[datetime.date]:
    """Every date a delivery is due. One-time pledges: the first date (if known)."""
    if first is None:
        return []
    months = RECURRENCE_MONTHS.get(recurrence)
    if months is None or until is None:
        return [first]
    # Each date counts from the first (Jan 31 → Feb 28/29 → Mar 31, never drifting to the 28th).
    dates, step = [], 0
    while (day := first + relativedelta(months=months * step)) <= until and step < 100:
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


# --- Checks that read what they check against ----------------------------------------------------


def wishlist_by_id(*, ids: Iterable[int | None]) -> dict[int, WishlistItem]:
    wanted = {pk for pk in ids if pk is not None}
    return WishlistItem.objects.in_bulk(wanted) if wanted else {}


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

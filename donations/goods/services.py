"""Writes of goods: pledges offered and moved through their states, deliveries recorded,
expected deliveries listed, companies put on the wall. One function per write path, keyword-only,
named <entity>_<action>; views, the admin, imports and tasks call these, nothing else writes.

The checks are in rules.py; a delivery tells the apps above it (campaigns thanks the pledger)
through the `delivery_recorded` signal.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from members.models import Supporter

from .models import (
    CorporateWallEntry,
    Delivery,
    DeliveryLine,
    ExpectedDelivery,
    Pledge,
    PledgeLine,
)
from .rules import (
    EXPECTED_HORIZON,
    HUNDRED,
    MAX_LINES,
    MSG_NO_LINES,
    MSG_OVER_PLEDGED,
    MSG_REASON_REQUIRED,
    MSG_SCHEDULE_DATE,
    MSG_SCHEDULE_LOCKED,
    MSG_STATE,
    MSG_TOO_MANY_LINES,
    PLEDGE_SCHEDULE_EDITABLE,
    PLEDGE_TRANSITIONS,
    ZERO,
    GoodsLine,
    State,
    delivery_errors,
    goods_line_errors,
    pledge_delivery_count,
    pledge_due_dates,
    pledge_schedule_errors,
    quantity_display,
    raise_line_errors,
    wishlist_by_id,
)
from .selectors import pledges_fulfilment, received_by_pledge_line
from .signals import delivery_recorded
from .thanks import pledge_accepted_thanks_queue

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
    raise_line_errors(
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
        pledge_accepted_thanks_queue(pledge=pledge)
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


def pledge_update(
    *,
    pledge: Pledge,
    recurrence: str,
    recurrence_until: datetime.date | None,
    delivery_method: str,
    pickup_address: str = "",
    pickup_window: str = "",
    campaign_id: int | None = None,
    message: str = "",
    staff_note: str = "",
    by=None,
    today: datetime.date | None = None,
) -> Pledge:
    """Staff correct a pledge: how often and until when, delivery or pick-up, campaign, notes.

    The same schedule checks as a new pledge apply to what changed (a first delivery date that
    has passed since it was fixed is kept). How often and until when may change only while the
    pledge is offered or open; then the open expected deliveries are listed again from the new
    schedule (delivered ones stay), and a pledge whose deliveries now cover the whole schedule
    is fulfilled. Raises ValidationError (nothing stored) otherwise.
    """
    today = today or timezone.localdate()
    pick_up = delivery_method == Pledge.DeliveryMethod.PICK_UP
    values = {
        "recurrence": recurrence,
        "recurrence_until": recurrence_until if recurrence != Pledge.Recurrence.ONCE else None,
        "delivery_method": delivery_method,
        "pickup_address": pickup_address.strip() if pick_up else "",
        "pickup_window": pickup_window.strip() if pick_up else "",
        "campaign_id": campaign_id,
        "message": message,
        "staff_note": staff_note,
    }
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("supporter").get(pk=pledge.pk)
        changed = [name for name, value in values.items() if getattr(pledge, name) != value]
        if not changed:
            return pledge
        schedule_changed = bool({"recurrence", "recurrence_until"} & set(changed))
        if schedule_changed and pledge.state not in PLEDGE_SCHEDULE_EDITABLE:
            raise ValidationError(
                MSG_SCHEDULE_LOCKED,
                code="state",
                params={"state": Pledge.State(pledge.state).label},
            )
        errors = pledge_schedule_errors(
            recurrence=values["recurrence"],
            first_delivery_on=pledge.first_delivery_on,
            recurrence_until=values["recurrence_until"],
            delivery_method=delivery_method,
            pickup_address=values["pickup_address"],
            pickup_window=values["pickup_window"],
            today=today,
        )
        errors.pop("first_delivery_on", None)  # checked when it was fixed; it may have passed
        if not schedule_changed:
            errors.pop("recurrence_until", None)
        if not {"delivery_method", "pickup_address", "pickup_window"} & set(changed):
            errors.pop("pickup_address", None)
            errors.pop("pickup_window", None)
        if errors:
            raise ValidationError(errors)
        for name in changed:
            setattr(pledge, name, values[name])
        pledge.save(update_fields=changed)
        if schedule_changed and pledge.state in (State.SCHEDULED, State.PARTLY_DELIVERED):
            # The new schedule replaces the open expectations of the old one.
            pledge.expected_deliveries.filter(status=ExpectedDelivery.Status.OPEN).delete()
            if pledge.state == State.PARTLY_DELIVERED and _pledge_complete(pledge):
                _set_state(pledge, State.FULFILLED, by)
            else:
                expected_deliveries_generate(pledge=pledge, today=today)
    return pledge


def _pledge_complete(pledge: Pledge) -> bool:
    """Whether what arrived covers the whole pledge. A recurring pledge without its first date
    has no known number of deliveries yet: it is not complete until staff schedule it."""
    if pledge.recurrence != Pledge.Recurrence.ONCE and not pledge.first_delivery_on:
        return False
    return pledges_fulfilment(pledge_ids=[pledge.pk]).get(pledge.pk, ZERO) >= HUNDRED


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
        raise_line_errors(lines, line_errors)

        pledged = {line.pk: line for line in pledge.lines.all()}
        received_before = received_by_pledge_line(pledge_ids=[pledge.pk])
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
            complete = _pledge_complete(pledge)
            _set_state(pledge, State.FULFILLED if complete else State.PARTLY_DELIVERED, recorded_by)
        if thank:
            # Campaigns thanks the pledger with the staff's thank-you template (once per delivery).
            delivery_recorded.send(sender=Delivery, delivery=delivery)
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


# --- Corporate supporters wall -------------------------------------------------------------------


def corporate_wall_add(*, supporter: Supporter) -> CorporateWallEntry:
    """Put a company on the wall list (placed last); it shows only while it consents."""
    entry = CorporateWallEntry.objects.filter(supporter=supporter).first()
    if entry is not None:
        return entry
    last = CorporateWallEntry.objects.aggregate(last=Max("sort_order"))["last"]
    return CorporateWallEntry.objects.create(
        supporter=supporter, sort_order=(last + 1) if last is not None else 0
    )

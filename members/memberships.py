"""Membership services: start, pay a period, lapse, cancel, and staff edits.

The donations ledger calls `membership_record_payment`; the admin and the join form call the
rest. Re-exported by members/services.py. Every function is keyword-only.
"""

import datetime
import logging
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import MEMBERSHIP_STAFF_FIELDS
from .models import Membership, MembershipPlan, Supporter, User

logger = logging.getLogger(__name__)


def _add_period(day: datetime.date, period: str) -> datetime.date:
    # relativedelta keeps the day, or the month's last day when it is shorter (31 Jan → 28 Feb).
    return day + relativedelta(months=12 if period == MembershipPlan.Period.YEAR else 1)


def membership_start(
    *,
    supporter: Supporter,
    plan: MembershipPlan,
    units: int = 1,
    auto_renew: bool = False,
    today: datetime.date | None = None,
) -> Membership:
    """A new membership. Free plans start at once; paid ones wait for their first payment."""
    today = today or timezone.localdate()
    membership = Membership(
        supporter=supporter,
        plan=plan,
        units=units if plan.per_unit else 1,
        amount_yen=plan.amount_yen * (units if plan.per_unit else 1),
        auto_renew=auto_renew,
    )
    if plan.period == MembershipPlan.Period.NONE:
        membership.status = Membership.Status.ACTIVE
        membership.started_on = today
    membership.save()
    return membership


def membership_record_payment(*, membership: Membership, paid_at: datetime.datetime) -> Membership:
    """A period's fee was paid: activate or extend. Only the donations ledger calls this, as it
    writes the fee's ledger row (donations.services.donation_record); anything else that records
    a fee goes through `members.registry.fee_payment_record`, so every fee is in the ledger.

    The new renewal date runs on from the current one, so paying early never loses days and
    paying late does not backdate the membership past what was paid for.
    """
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        paid_on = timezone.localdate(paid_at)
        base = (
            membership.renews_on
            if membership.renews_on and membership.renews_on > paid_on
            else paid_on
        )
        if membership.started_on is None:
            membership.started_on = paid_on
        if membership.plan.period != MembershipPlan.Period.NONE:
            membership.renews_on = _add_period(base, membership.plan.period)
        membership.status = Membership.Status.ACTIVE
        membership.last_paid_at = paid_at
        membership.save()
        return membership


def membership_lapse_overdue(*, today: datetime.date | None = None) -> int:
    """Active memberships past their renewal date become lapsed. Returns how many."""
    today = today or timezone.localdate()
    return Membership.objects.filter(status=Membership.Status.ACTIVE, renews_on__lt=today).update(
        status=Membership.Status.LAPSED
    )


def membership_cancel(*, membership: Membership, by: User | None = None) -> Membership:
    """End a membership: it no longer renews, is never offered for payment and gets no renewal
    reminders. Its row and payments stay (accounting records). Cancelling again changes nothing."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.status == Membership.Status.CANCELLED:
            return membership
        membership.status = Membership.Status.CANCELLED
        membership.auto_renew = False
        membership.cancelled_at = timezone.now()
        membership.save(update_fields=["status", "auto_renew", "cancelled_at"])
    logger.info("Membership %s cancelled by user %s", membership.pk, getattr(by, "pk", None))
    return membership


# --- Staff edits (the admin's membership screens) ---------------------------------------------

MSG_CANCEL = _("Use “Cancel membership” to cancel: it also stops renewals.")
MSG_CANCELLED = _("A cancelled membership cannot be changed.")
MSG_SUPPORTER = _("A membership stays with its supporter; start a new one instead.")
MSG_RENEWS_BEFORE_START = _("The renewal date must be after the start date.")
MSG_FREE_PLAN = _("A plan without a fee has no renewal date.")


def _membership_check(membership: Membership, *, was: str | None) -> None:
    """The state rules for a membership staff created or changed (not yet saved).

    Units count only on per-unit plans; a free plan has no fee and no renewal date; an active
    membership has a start date; cancelling goes through membership_cancel.
    """
    plan = membership.plan
    if not plan.per_unit:
        membership.units = 1
    if plan.period == MembershipPlan.Period.NONE:
        membership.amount_yen = 0
    errors: dict[str, list] = {}
    if membership.status == Membership.Status.CANCELLED and was != Membership.Status.CANCELLED:
        errors["status"] = [MSG_CANCEL]
    if plan.period == MembershipPlan.Period.NONE and membership.renews_on:
        errors["renews_on"] = [MSG_FREE_PLAN]
    if membership.status == Membership.Status.ACTIVE and membership.started_on is None:
        membership.started_on = timezone.localdate()
    if (
        membership.started_on
        and membership.renews_on
        and membership.renews_on <= membership.started_on
    ):
        errors.setdefault("renews_on", []).append(MSG_RENEWS_BEFORE_START)
    if errors:
        raise ValidationError(errors)


def membership_create(
    *,
    supporter: Supporter,
    plan: MembershipPlan,
    units: int = 1,
    status: str = Membership.Status.PENDING,
    amount_yen: int | None = None,
    started_on: datetime.date | None = None,
    renews_on: datetime.date | None = None,
    auto_renew: bool = False,
    by: User | None = None,
) -> Membership:
    """A membership entered by staff, e.g. one paid on paper. Without `amount_yen` the fee is the
    plan's fee × units, as for `membership_start`; the state rules of `_membership_check` apply."""
    units = units if plan.per_unit else 1
    membership = Membership(
        supporter=supporter,
        plan=plan,
        units=units,
        status=status,
        amount_yen=plan.amount_yen * units if amount_yen is None else amount_yen,
        started_on=started_on,
        renews_on=renews_on,
        auto_renew=auto_renew,
    )
    _membership_check(membership, was=None)
    membership.save()
    logger.info("Membership %s created by user %s", membership.pk, getattr(by, "pk", None))
    return membership


def membership_update(
    *, membership: Membership, changes: dict[str, Any], by: User | None = None
) -> Membership:
    """Save staff edits to MEMBERSHIP_STAFF_FIELDS under the state rules (`_membership_check`).
    A cancelled membership cannot be changed, and a membership never moves to another supporter."""
    supporter = changes.get("supporter")
    changes = {name: value for name, value in changes.items() if name != "supporter"}
    unknown = set(changes) - set(MEMBERSHIP_STAFF_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by staff: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        # From the row, not the instance passed in (an admin form may have changed it already).
        membership = (
            Membership.objects.select_for_update().select_related("plan").get(pk=membership.pk)
        )
        if supporter is not None and supporter.pk != membership.supporter_id:
            raise ValidationError({"supporter": [MSG_SUPPORTER]})
        was = membership.status
        if was == Membership.Status.CANCELLED:
            raise ValidationError(MSG_CANCELLED)
        for name, value in changes.items():
            setattr(membership, name, value)
        _membership_check(membership, was=was)
        membership.save()
    logger.info(
        "Membership %s changed by user %s: %s",
        membership.pk,
        getattr(by, "pk", None),
        ", ".join(sorted(changes)) or "nothing",
    )
    return membership

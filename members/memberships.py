"""Membership services: start, pay a period, lapse, cancel.

The donations ledger calls `membership_record_payment`; the admin and the join form call the
rest. Re-exported by members/services.py. Every function is keyword-only.
"""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from .models import Membership, MembershipPlan, Supporter


def _add_period(day: datetime.date, period: str) -> datetime.date:
    months = 12 if period == MembershipPlan.Period.YEAR else 1
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    """A period's fee was paid (called by the donations ledger): activate or extend.

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


def membership_cancel(*, membership: Membership) -> Membership:
    membership.status = Membership.Status.CANCELLED
    membership.auto_renew = False
    membership.cancelled_at = timezone.now()
    membership.save(update_fields=["status", "auto_renew", "cancelled_at"])
    return membership

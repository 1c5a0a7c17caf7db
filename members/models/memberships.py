"""Memberships: one supporter on one plan, paid period by period."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .lists import MembershipPlan
from .supporters import Supporter


class Membership(models.Model):
    """One supporter's membership on a plan. Payments point here from the donations ledger
    (`donations.Donation.membership`), one per paid period, so renewals keep their history."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")
        CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("supporter")
    )
    plan = models.ForeignKey(
        MembershipPlan, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("plan")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    units = models.PositiveSmallIntegerField(_("units (口)"), default=1)
    amount_yen = models.PositiveIntegerField(
        _("fee per period (yen)"), help_text=_("Plan fee × units when the membership started.")
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)
    renews_on = models.DateField(_("renewal date"), null=True, blank=True, db_index=True)
    auto_renew = models.BooleanField(_("renew automatically"), default=False)
    last_paid_at = models.DateTimeField(_("last paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units__gte=1), name="membership_units_positive"
            ),
        ]
        indexes = [
            # The staff supporter list joins each supporter's current membership for its plan
            # and status filters: the join reads this index only (see supporter_list_filter_idx).
            models.Index(
                fields=["id"], include=["plan", "status", "renews_on"], name="membership_list_idx"
            ),
        ]

    def __str__(self):
        return f"{self.supporter} — {self.plan}"

    def save(self, *args, **kwargs):
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:  # usually the newest, so the supporter's current one
            supporters_refresh_current_membership(supporter_ids=[self.supporter_id])

    def delete(self, *args, **kwargs):
        supporter_id = self.supporter_id
        result = super().delete(*args, **kwargs)
        supporters_refresh_current_membership(supporter_ids=[supporter_id])
        return result

    # Paying is offered this many days before the renewal date.
    PAY_AHEAD_DAYS = 30

    def needs_payment(self, today: datetime.date | None = None) -> bool:
        """Whether the member can pay a period now: a fee is due, overdue, or due within
        PAY_AHEAD_DAYS. Free and cancelled memberships never need payment."""
        if self.amount_yen <= 0 or self.status == self.Status.CANCELLED:
            return False
        if self.status in (self.Status.PENDING, self.Status.LAPSED):
            return True
        today = today or timezone.localdate()
        return bool(self.renews_on and (self.renews_on - today).days <= self.PAY_AHEAD_DAYS)


def supporters_refresh_current_membership(*, supporter_ids=None) -> int:
    """Point `Supporter.current_membership` at each supporter's newest membership (by created_at,
    then pk), in one UPDATE; all supporters when `supporter_ids` is None. Bulk paths that add or
    move memberships without Membership.save() (merges, imports, data migrations) call this."""
    newest = Membership.objects.filter(supporter=models.OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    supporters = Supporter.objects.all()
    if supporter_ids is not None:
        supporters = supporters.filter(pk__in=list(supporter_ids))
    return supporters.update(current_membership=models.Subquery(newest.values("pk")[:1]))

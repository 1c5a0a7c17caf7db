"""The money ledger: one row per successful payment, monthly gifts, and the Stripe event inbox.

Amounts are whole yen in integer fields: JPY is a zero-decimal currency, so Stripe's `amount`
for JPY is already in yen. Rules live in `donations/services.py`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StripeEvent(models.Model):
    """Webhook inbox. A verified event is stored once (unique Stripe id) before anything is done
    with it; processing happens in a huey task and a sweeper retries what is still pending."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Not needed")
        FAILED = "failed", _("Failed")

    stripe_id = models.CharField(_("Stripe event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    stripe_created = models.DateTimeField(_("created at Stripe"))
    livemode = models.BooleanField(_("live mode"), default=False)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.stripe_id}"


class RecurringDonation(models.Model):
    """A monthly gift (a Stripe subscription). Its state follows the newest Stripe data seen."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("Waiting for first payment")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")

    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="recurring_donations",
    )
    amount_yen = models.PositiveIntegerField(_("monthly amount (yen)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INCOMPLETE
    )
    campaign = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    next_payment_on = models.DateField(_("next payment"), null=True, blank=True)
    failure_count = models.PositiveSmallIntegerField(_("failed payments"), default=0)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Time of the Stripe data last applied: older events never overwrite newer state.
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("monthly gift")
        verbose_name_plural = _("monthly gifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yen__gt=0), name="recurring_amount_positive"
            )
        ]

    def __str__(self):
        return f"{self.supporter} ¥{self.amount_yen:,}/月"


class Donation(models.Model):
    """One successful payment: online (Stripe) or recorded by staff (bank transfer, cash)."""

    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("One-off gift")
        MONTHLY = "monthly", _("Monthly gift")
        MEMBERSHIP = "membership", _("Membership fee")

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        KONBINI = "konbini", _("Convenience store")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")

    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,  # the ledger outlives account deletion (anonymised donor)
        related_name="donations",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    refunded_yen = models.PositiveIntegerField(_("refunded (yen)"), default=0)
    paid_at = models.DateTimeField(_("paid"), db_index=True)
    campaign = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    membership = models.ForeignKey(
        "members.Membership",
        verbose_name=_("membership paid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    recurring = models.ForeignKey(
        RecurringDonation,
        verbose_name=_("monthly gift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    message = models.TextField(_("message"), blank=True)
    show_name = models.BooleanField(_("name may be shown on the supporters' wall"), default=False)
    # Business keys: each Stripe object can produce at most one ledger row.
    stripe_checkout_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("staff note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_yen__gt=0), name="donation_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_yen__lte=models.F("amount_yen")),
                name="donation_refund_not_above_amount",
            ),
        ]

    def __str__(self):
        return f"¥{self.amount_yen:,} {self.get_kind_display()} ({self.supporter})"

    @property
    def net_yen(self) -> int:
        return self.amount_yen - self.refunded_yen

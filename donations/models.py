"""The money ledger: one row per successful payment, monthly gifts, and the Stripe event inbox.

Amounts are whole yen in integer fields: JPY is a zero-decimal currency, so Stripe's `amount`
for JPY is already in yen. Rules live in `donations/services.py`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page


def yen_amount_check(amount_yen) -> None:
    """Money here is whole yen (JPY has no minor unit): a positive int, never a bool or float.
    Every service that takes an amount calls this first."""
    if not isinstance(amount_yen, int) or isinstance(amount_yen, bool) or amount_yen <= 0:
        raise ValueError("amount_yen must be a positive whole number of yen")


class StripeEvent(models.Model):
    """Webhook inbox. A verified event is stored once (unique Stripe id) before anything is done
    with it; processing happens in a huey task and a sweeper retries what is still pending."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        # Refers to an object not recorded yet (events arrive out of order): retried with
        # back-off for as long as Stripe itself retries, and woken when that object arrives.
        WAITING = "waiting", _("Waiting for a related event")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Not needed")
        # Cannot be applied as sent (e.g. a JPY amount with decimals): staff must look at it.
        NEEDS_REVIEW = "needs_review", _("Needs review")
        FAILED = "failed", _("Failed")

    stripe_id = models.CharField(_("Stripe event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    stripe_created = models.DateTimeField(_("created at Stripe"))
    livemode = models.BooleanField(_("live mode"), default=False)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # When a waiting event is next tried (back-off); null: as soon as a sweeper sees it.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    # What a waiting event waits for (e.g. "subscription:sub_123"), so its arrival wakes it.
    waiting_for = models.CharField(_("waiting for"), max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.stripe_id}"


class RecurringDonation(models.Model):
    """A monthly gift (a Stripe subscription). Its state follows the newest Stripe data seen."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("Waiting for first payment")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed")
        CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")

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
    # Every monthly payment counts for the programme chosen on the donate form (null: where
    # most needed).
    programme = models.ForeignKey(
        "Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recurring_donations",
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


# What a gift without a programme is for.
MOST_NEEDED = _("Where most needed")
# Who gave a gift without a donor (a collection box, 募金箱).
ANONYMOUS_DONOR = _("Anonymous (no donor)")


class Programme(models.Model):
    """A programme staff raise money for (子どもの居場所, フードバンク, ひとり親支援...). A gift may
    name one; a gift without one goes "where most needed" (最も必要なところ). Never deleted once
    gifts name it (PROTECT): staff switch it off instead."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        pgettext_lazy("programme", "active"),
        default=True,
        help_text=_("Inactive programmes keep their gifts."),
    )

    panels = [
        FieldPanel("name_ja"),
        FieldPanel("name_en"),
        FieldPanel("sort_order"),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["sort_order", "name_ja"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Japanese when there is no English name)."""
        if get_language() and not get_language().startswith("ja") and self.name_en:
            return self.name_en
        return self.name_ja


class Donation(models.Model):
    """One successful payment: online (Stripe) or recorded by staff (bank transfer, cash)."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("One-off gift")
        MONTHLY = "monthly", _("Monthly gift")
        MEMBERSHIP = "membership", _("Membership fee")

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        KONBINI = "konbini", _("Convenience store")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")

    # Null: an anonymous gift with no donor to name (a collection box, 募金箱), recorded by staff.
    # It counts towards campaigns, programmes and funding, but nobody is thanked or receipted.
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("donor"),
        null=True,
        blank=True,
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
    # Null: "where most needed" (最も必要なところ).
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
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
    show_amount = models.BooleanField(
        _("amount may be shown on the supporters' wall"), default=False
    )
    # Business keys: each Stripe object can produce at most one ledger row.
    stripe_checkout_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    disputed_at = models.DateTimeField(_("disputed"), null=True, blank=True)
    dispute_reason = models.CharField(_("dispute reason"), max_length=50, blank=True)
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
    # Set once every side effect of recording this gift (thanks, campaign caches, goal check)
    # has run; a sweeper re-runs them for gifts whose task was lost.
    effects_done_at = models.DateTimeField(null=True, blank=True, db_index=True)

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
            # Only a one-off gift paid offline may have no donor (a fee, a monthly gift or a
            # Stripe payment always belongs to someone).
            models.CheckConstraint(
                condition=models.Q(supporter__isnull=False)
                | models.Q(kind="one_off", method__in=["bank_transfer", "cash"]),
                name="donation_anonymous_offline_one_off",
            ),
        ]
        indexes = [
            # Campaign progress and supporters' walls: one campaign's gifts, newest first.
            models.Index(fields=["campaign", "-paid_at"], name="donation_campaign_paid_idx"),
            # Campaign progress (raised, donors, gifts) from the index alone on PostgreSQL: an
            # index-only scan, no table rows read (the INCLUDE columns are PostgreSQL's).
            models.Index(
                fields=["campaign", "supporter"],
                include=["amount_yen", "refunded_yen"],
                name="donation_campaign_progress_idx",
            ),
            # Funding reports: the monthly gifts and membership fees of a period (recurring
            # revenue, monthly donors) without reading the one-off gifts; from the index alone
            # on PostgreSQL once vacuumed (the INCLUDE columns).
            models.Index(
                fields=["kind", "paid_at"],
                include=["supporter", "membership", "amount_yen", "refunded_yen"],
                name="donation_kind_paid_idx",
            ),
        ]

    def __str__(self):
        return f"¥{self.amount_yen:,} {self.get_kind_display()} ({self.donor_label})"

    @property
    def donor_label(self) -> str:
        """The donor's name, or "anonymous" for a gift without one (a collection box)."""
        return str(self.supporter) if self.supporter_id else str(ANONYMOUS_DONOR)

    donor_label.fget.short_description = _("donor")  # the ledger's column heading

    @property
    def donor_email(self) -> str:
        return self.supporter.email if self.supporter_id else ""

    donor_email.fget.short_description = _("e-mail")

    @property
    def net_yen(self) -> int:
        return self.amount_yen - self.refunded_yen

    @property
    def programme_label(self) -> str:
        """The programme's name, or "where most needed" for a gift without one; nothing for a
        membership fee (not a gift to a cause)."""
        if self.programme_id:
            return self.programme.name
        return "" if self.kind == self.Kind.MEMBERSHIP else str(MOST_NEEDED)


# Gifts staff record by hand; only these may be corrected (Stripe's rows follow its webhooks).
OFFLINE_METHODS = (Donation.Method.BANK_TRANSFER, Donation.Method.CASH)


class CheckoutRequest(models.Model):
    """What a donor asked for before we sent them to Stripe Checkout.

    Its uuid is the idempotency key of the Stripe call, and Checkout metadata points back here.
    It never counts as money: only a verified webhook adds a Donation.
    """

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Frequency(models.TextChoices):
        ONE_OFF = "one_off", _("One-off")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("checkout status", "Created")
        REDIRECTED = "redirected", _("Sent to Stripe")
        FAILED = "failed", _("Stripe refused")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    # Known member (membership fee, logged-in donor); null for a visitor, whose details below
    # become (or find) a supporter only when Stripe's verified paid event arrives.
    supporter = models.ForeignKey(
        "members.Supporter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checkout_requests",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    family_name = models.CharField(_("family name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    campaign = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    membership = models.ForeignKey(
        "members.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the gift supports (null: where most needed); the paid event copies it to the ledger.
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept here, never sent to Stripe: personal free text stays with us.
    message = models.TextField(_("message"), blank=True)
    show_name = models.BooleanField(default=False)
    show_amount = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("checkout request")
        verbose_name_plural = _("checkout requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yen__gt=0), name="checkout_amount_positive"
            )
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} ¥{self.amount_yen:,}"


def _validate_amount_list(value: str) -> None:
    try:
        amounts = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise ValidationError(_("Enter whole yen amounts separated by commas.")) from exc
    if not amounts or any(amount <= 0 for amount in amounts):
        raise ValidationError(_("Enter whole yen amounts separated by commas."))


class MonthlyGiftRequest(models.Model):
    """A monthly donor who gives without Stripe (bank transfer, cash) asks, from the member portal,
    to change or stop their monthly gift. Staff handle it by hand; the organisation's contact
    address is told by e-mail (donations.services.monthly_gift_request_create)."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Action(models.TextChoices):
        CHANGE_AMOUNT = "change_amount", _("Change the amount")
        PAUSE = "pause", _("Pause for a while")
        STOP = "stop", _("Stop my monthly gift")
        OTHER = "other", _("Something else")

    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("donor"),
        on_delete=models.CASCADE,
        related_name="monthly_gift_requests",
    )
    action = models.CharField(_("request"), max_length=16, choices=Action.choices)
    amount_yen = models.PositiveIntegerField(_("new monthly amount (yen)"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("monthly gift request")
        verbose_name_plural = _("monthly gift requests")

    def __str__(self):
        return f"{self.supporter} — {self.get_action_display()}"


class DonatePage(RoutablePageMixin, Page):
    """The donate form: one-off or monthly, preset or custom amount, then Stripe Checkout."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    one_off_amounts = models.CharField(
        _("one-off amounts (yen)"),
        max_length=100,
        default="3000,5000,10000,30000",
        validators=[_validate_amount_list],
    )
    monthly_amounts = models.CharField(
        _("monthly amounts (yen)"),
        max_length=100,
        default="500,1000,3000,5000",
        validators=[_validate_amount_list],
    )
    minimum_yen = models.PositiveIntegerField(_("smallest gift (yen)"), default=500)
    maximum_yen = models.PositiveIntegerField(_("largest gift (yen)"), default=1_000_000)
    allow_monthly = models.BooleanField(_("offer monthly gifts"), default=True)
    thank_you_text = RichTextField(
        _("thank-you text"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tax_note = models.TextField(
        _("note on tax deduction"),
        blank=True,
        help_text=_(
            "Replaces the sentence about the tax deduction for donations (寄附金控除), which is "
            "otherwise written from the organisation settings (a certified NPO or not)."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("one_off_amounts"),
                FieldPanel("monthly_amounts"),
                FieldPanel("minimum_yen"),
                FieldPanel("maximum_yen"),
                FieldPanel("allow_monthly"),
            ],
            heading=_("Amounts"),
        ),
        InlinePanel("impact_lines", label=_("what an amount does")),
        FieldPanel("privacy_page"),
        FieldPanel("tax_note"),
        FieldPanel("thank_you_text"),
    ]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("donate page")

    @staticmethod
    def amounts(value: str) -> list[int]:
        return [int(part) for part in value.split(",") if part.strip()]

    @path("")
    def form(self, request):
        from .views import donate_form  # views import this module's models

        return donate_form(request, self)

    @path("thanks/")
    def thanks(self, request):
        from .checkout_thanks import checkout_thanks  # it reads this module's models

        # May load before Stripe's webhook: it says "recorded" only once the ledger has the gift.
        return self.render(
            request,
            template="donations/donate_page_thanks.html",
            context_overrides={
                "checkout": checkout_thanks(session_id=request.GET.get("session_id", ""))
            },
        )

    @path("cancelled/")
    def cancelled(self, request):
        return self.render(request, template="donations/donate_page_cancelled.html")


class DonateImpactLine(Orderable):
    """One line under an amount on the donate page: what that gift does."""

    page = ParentalKey(DonatePage, on_delete=models.CASCADE, related_name="impact_lines")
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    text = models.CharField(
        _("what it does"),
        max_length=80,
        help_text=_("Shown under the amount, e.g. 子ども食堂の食事10食分."),
    )

    panels = [FieldPanel("amount_yen"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("impact line")
        verbose_name_plural = _("impact lines")

"""The money ledger: one row per successful payment, monthly gifts, and the Stripe event inbox.

Amounts are whole yen in integer fields: JPY is a zero-decimal currency, so Stripe's `amount`
for JPY is already in yen. Rules live in `donations/services.py`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from home.storage import private_storage


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
        ]
        indexes = [
            # Campaign progress and supporters' walls: one campaign's gifts, newest first.
            models.Index(fields=["campaign", "-paid_at"], name="donation_campaign_paid_idx"),
        ]

    def __str__(self):
        return f"¥{self.amount_yen:,} {self.get_kind_display()} ({self.supporter})"

    @property
    def net_yen(self) -> int:
        return self.amount_yen - self.refunded_yen


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
        CREATED = "created", _("Created")
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

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("one_off_amounts"),
        FieldPanel("monthly_amounts"),
        FieldPanel("minimum_yen"),
        FieldPanel("maximum_yen"),
        FieldPanel("allow_monthly"),
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
        from .views import donate_form

        return donate_form(request, self)

    @path("thanks/")
    def thanks(self, request):
        from campaigns.services import checkout_thanks

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


# --- Receipts ---------------------------------------------------------------------------------
# Per-gift receipts (領収書) and annual donation certificates (寄附金受領証明書). Rules live in
# donations/receipts.py; the PDF is drawn by donations/receipt_pdf.py.


class ReceiptKind(models.TextChoices):
    GIFT = "gift", _("Receipt for one gift")
    ANNUAL = "annual", _("Annual donation certificate")


class ReceiptCounter(models.Model):
    """The last number handed out per kind and year. Issuing locks this row (select_for_update)
    in the same transaction that inserts the receipt, so numbers are never skipped or reused."""

    kind = models.CharField(max_length=10, choices=ReceiptKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="receipt_counter_kind_year")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last_number}"


class ReceiptBatch(models.Model):
    """Annual certificates for every donor of one calendar year, made by a huey task in chunks."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("donors"), default=0)
    processed = models.PositiveIntegerField(_("donors processed"), default=0)
    issued_count = models.PositiveIntegerField(_("certificates issued"), default=0)
    skipped_count = models.PositiveIntegerField(_("already issued"), default=0)
    emailed_count = models.PositiveIntegerField(_("e-mailed"), default=0)
    postal_count = models.PositiveIntegerField(_("to post"), default=0)
    # The donors still to do are those with a higher id than this (chunks resume from here).
    last_supporter_id = models.PositiveIntegerField(default=0)
    postal_zip = models.FileField(
        _("ZIP for posting"),
        upload_to="receipts/batches/",
        storage=private_storage,
        blank=True,
    )
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveSmallIntegerField(_("failed runs"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("receipt batch")
        verbose_name_plural = _("receipt batches")

    def __str__(self):
        return f"{self.year} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class Receipt(models.Model):
    """One issued receipt or certificate. Everything printed is copied here when it is issued
    (donor, address, issuer, gifts), so later edits never change an issued document; a reissue
    (再発行) prints the same snapshot again under the same number."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    Kind = ReceiptKind
    PREFIXES = {ReceiptKind.GIFT: "R", ReceiptKind.ANNUAL: "C"}

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        VOID = "void", _("Void")

    kind = models.CharField(_("kind"), max_length=10, choices=ReceiptKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("gift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    batch = models.ForeignKey(
        ReceiptBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="receipts",
    )
    # Snapshot taken at issue time.
    donor_name = models.CharField(_("donor name"), max_length=400)  # company + dept + contact
    donor_postal_code = models.CharField(_("donor postal code"), max_length=8, blank=True)
    donor_address = models.TextField(_("donor address"), blank=True)
    lines = models.JSONField(_("gifts"), default=list)  # [{"donation": id, "date", "amount_yen"}]
    total_yen = models.PositiveIntegerField(_("total (yen)"))
    issuer = models.JSONField(_("issuer"), default=dict)  # organisation name, address, numbers
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reissue_count = models.PositiveSmallIntegerField(_("reissues"), default=0)
    reissued_at = models.DateTimeField(_("last reissued"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    pdf = models.FileField(
        _("PDF"), upload_to="receipts/", storage=private_storage, blank=True, max_length=200
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            # The last line of defence behind the locked counter: a number exists once.
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="receipt_unique_sequence"
            ),
            # At most one valid receipt per gift, and one valid certificate per donor and year.
            models.UniqueConstraint(
                fields=["donation"],
                condition=models.Q(kind="gift", status="issued"),
                name="receipt_one_issued_per_gift",
            ),
            models.UniqueConstraint(
                fields=["supporter", "year"],
                condition=models.Q(kind="annual", status="issued"),
                name="receipt_one_issued_certificate_per_year",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="annual") | models.Q(donation__isnull=False),
                name="receipt_gift_has_donation",
            ),
        ]
        indexes = [models.Index(fields=["supporter", "kind", "year"], name="receipt_donor_idx")]

    def __str__(self):
        return self.number

    @property
    def is_reissue(self) -> bool:
        return self.reissue_count > 0


class ReceiptLog(models.Model):
    """Every issue, reissue, void, e-mail and download of a receipt: who, when, why."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REISSUED = "reissued", _("Reissued")
        VOIDED = "voided", _("Voided")
        EMAILED = "emailed", _("E-mailed")
        DOWNLOADED = "downloaded", _("Downloaded")

    receipt = models.ForeignKey(
        Receipt, verbose_name=_("receipt"), on_delete=models.CASCADE, related_name="log"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_donor = models.BooleanField(_("by the donor"), default=False)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("receipt log entry")
        verbose_name_plural = _("receipt log")

    def __str__(self):
        return f"{self.receipt} {self.action}"


# --- Funding reports: grant exit (財源バランス) -----------------------------------------------
# What staff enter for the funding dashboard (donations/reports.py, donations/dashboard_views.py).


@register_setting(icon="table")
class FundingSettings(BaseSiteSetting):
    """Running costs and the start-up grant, for the dashboard's 財源バランス (grant exit)."""

    monthly_running_costs_yen = models.PositiveIntegerField(
        _("monthly running costs (yen)"),
        default=0,
        help_text=_("What the group spends in a normal month: rent, food, staff, insurance..."),
    )
    grant_name = models.CharField(_("grant"), max_length=120, blank=True)
    grant_amount_yen = models.PositiveIntegerField(_("grant amount (yen)"), default=0)
    grant_start_date = models.DateField(_("grant start date"), null=True, blank=True)
    grant_end_date = models.DateField(_("grant end date"), null=True, blank=True)

    panels = [
        FieldPanel("monthly_running_costs_yen"),
        FieldPanel("grant_name"),
        FieldPanel("grant_amount_yen"),
        FieldPanel("grant_start_date"),
        FieldPanel("grant_end_date"),
    ]

    class Meta:
        verbose_name = _("funding")

    def clean(self):
        super().clean()
        if (
            self.grant_start_date
            and self.grant_end_date
            and self.grant_end_date < self.grant_start_date
        ):
            raise ValidationError({"grant_end_date": _("The grant cannot end before it starts.")})


class GrantIncome(models.Model):
    """Money received from a grant (助成金), entered by staff; shown as its own income source."""

    received_on = models.DateField(_("received on"), db_index=True)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    grantor = models.CharField(_("grantor"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    panels = [
        FieldPanel("received_on"),
        FieldPanel("amount_yen"),
        FieldPanel("grantor"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("grant income")
        verbose_name_plural = _("grant income")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yen__gt=0), name="grant_income_positive"
            )
        ]

    def __str__(self):
        return f"{self.received_on} {self.grantor} ¥{self.amount_yen:,}"

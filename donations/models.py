"""The money ledger: one row per successful payment, monthly gifts, and the Stripe event inbox.

Amounts are whole yen in integer fields: JPY is a zero-decimal currency, so Stripe's `amount`
for JPY is already in yen. Rules live in `donations/services.py`.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


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


# =================================================================================================
# In-kind pledges: goods that companies and people pledge, deliver and are thanked for.
# Rules live in donations/inkind.py; staff screens in donations/inkind_admin.py.
# Quantities are Decimal (kg and litres can be fractional), value estimates whole yen.
# =================================================================================================


class GoodsCategory(models.TextChoices):
    FOOD = "food", _("Food")
    DAILY_GOODS = "daily_goods", _("Daily goods")
    STATIONERY = "stationery", _("Stationery")
    TOYS = "toys", _("Toys")
    OTHER = "other", _("Other")


class GoodsUnit(models.TextChoices):
    KG = "kg", _("kg")
    ITEMS = "items", _("items")
    BOXES = "boxes", _("boxes")
    LITRES = "litres", _("litres")


QUANTITY_MAX_DIGITS = 12
QUANTITY_DECIMALS = 2
_POSITIVE_QUANTITY = MinValueValidator(Decimal("0.01"))


class WishlistItem(models.Model):
    """Goods the group needs now, edited by staff and offered on the pledge form."""

    class Storage(models.TextChoices):
        AMBIENT = "ambient", _("Room temperature")
        CHILLED = "chilled", _("Chilled")
        FROZEN = "frozen", _("Frozen")

    name = models.CharField(_("item"), max_length=120)
    category = models.CharField(_("category"), max_length=12, choices=GoodsCategory.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=GoodsUnit.choices)
    quantity_needed = models.DecimalField(
        _("quantity needed"),
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMALS,
        validators=[_POSITIVE_QUANTITY],
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    storage = models.CharField(
        _("storage"), max_length=8, choices=Storage.choices, default=Storage.AMBIENT
    )
    min_best_before_days = models.PositiveSmallIntegerField(
        _("minimum days before best-before"),
        default=0,
        help_text=_("Food must keep at least this many days after it reaches us (0: no limit)."),
    )
    notes = models.TextField(_("storage notes"), blank=True)
    active = models.BooleanField(_("shown on the pledge form"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["sort_order", "name", "pk"]
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_needed__gt=0), name="wishlist_quantity_positive"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_unit_display()})"


class Pledge(models.Model):
    """What a company or person offers to give: one-time or recurring, delivered or picked up.

    offered → accepted → scheduled → partly delivered → fulfilled, or declined / cancelled.
    """

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        SCHEDULED = "scheduled", _("Scheduled")
        PARTLY_DELIVERED = "partly_delivered", _("Partly delivered")
        FULFILLED = "fulfilled", _("Fulfilled")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Called off")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("One time")
        MONTHLY = "monthly", _("Every month")
        QUARTERLY = "quarterly", _("Every three months")

    class DeliveryMethod(models.TextChoices):
        DROP_OFF = "drop_off", _("Drop-off at the warehouse")
        PICK_UP = "pick_up", _("Pick-up requested")

    class Source(models.TextChoices):
        WEB = "web", _("Pledge form")
        STAFF = "staff", _("Entered by staff")
        IMPORT = "import", _("Import")

    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("supporter"),
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OFFERED, db_index=True
    )
    recurrence = models.CharField(
        _("how often"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    first_delivery_on = models.DateField(_("first delivery"), null=True, blank=True)
    recurrence_until = models.DateField(_("repeat until"), null=True, blank=True)
    delivery_method = models.CharField(
        _("delivery"),
        max_length=10,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.DROP_OFF,
    )
    pickup_address = models.TextField(_("pick-up address"), blank=True)
    pickup_window = models.CharField(_("pick-up time window"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    contact_as_submitted = models.TextField(
        _("contact details as submitted"),
        blank=True,
        help_text=_("What the form said, in case it differs from the supporter record."),
    )
    campaign = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason for declining or cancelling"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.WEB)
    import_reference = models.CharField(
        _("import reference"), max_length=60, blank=True, db_index=True
    )
    staff_note = models.TextField(_("staff note"), blank=True)
    created_at = models.DateTimeField(_("offered"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("state changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self):
        return f"#{self.pk} {self.supporter}"


PLEDGE_OPEN_STATES = (
    Pledge.State.ACCEPTED,
    Pledge.State.SCHEDULED,
    Pledge.State.PARTLY_DELIVERED,
)


class PledgeLine(models.Model):
    """One kind of goods in a pledge. For a recurring pledge the quantity is per delivery."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="lines"
    )
    wishlist_item = models.ForeignKey(
        WishlistItem,
        verbose_name=_("wishlist item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledge_lines",
    )
    category = models.CharField(_("category"), max_length=12, choices=GoodsCategory.choices)
    description = models.CharField(_("item name"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMALS,
        validators=[_POSITIVE_QUANTITY],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=GoodsUnit.choices)
    estimated_value_yen = models.PositiveIntegerField(_("estimated value (yen)"), default=0)
    best_before = models.DateField(_("best before"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pledge", "sort_order", "pk"]
        verbose_name = _("pledged goods")
        verbose_name_plural = _("pledged goods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="pledge_line_quantity_positive"
            )
        ]

    def __str__(self):
        return f"{self.description} {self.quantity.normalize():f} {self.get_unit_display()}"


class Delivery(models.Model):
    """Goods that reached us for a pledge, as counted by whoever received them."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        SOME_DAMAGE = "some_damage", _("Some damage")
        UNUSABLE = "unusable", _("Partly unusable")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.PROTECT, related_name="deliveries"
    )
    received_on = models.DateField(_("received on"), db_index=True)
    received_by = models.CharField(_("received by"), max_length=100)
    condition = models.CharField(
        _("condition"), max_length=12, choices=Condition.choices, default=Condition.GOOD
    )
    over_pledged = models.BooleanField(
        _("more than pledged"),
        default=False,
        help_text=_("Set when this delivery brought more of something than was pledged."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_reference = models.CharField(
        _("import reference"), max_length=60, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"{self.received_on} {self.pledge.supporter}"


class DeliveryLine(models.Model):
    """One kind of goods received. Category and unit are copied from the pledged line (or typed
    for unpledged extras), so totals never depend on later edits of the pledge."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="lines"
    )
    pledge_line = models.ForeignKey(
        PledgeLine,
        verbose_name=_("pledged goods"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivered",
    )
    wishlist_item = models.ForeignKey(
        WishlistItem,
        verbose_name=_("wishlist item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delivered",
    )
    category = models.CharField(_("category"), max_length=12, choices=GoodsCategory.choices)
    description = models.CharField(_("item name"), max_length=200)
    quantity = models.DecimalField(
        _("quantity received"),
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMALS,
        validators=[_POSITIVE_QUANTITY],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=GoodsUnit.choices)
    estimated_value_yen = models.PositiveIntegerField(_("estimated value (yen)"), default=0)
    best_before = models.DateField(_("best before"), null=True, blank=True)
    over_pledged = models.BooleanField(_("more than pledged"), default=False)

    class Meta:
        ordering = ["delivery", "pk"]
        verbose_name = _("goods received")
        verbose_name_plural = _("goods received")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="delivery_line_quantity_positive"
            )
        ]
        indexes = [models.Index(fields=["category", "unit"], name="delivery_line_cat_unit_idx")]

    def __str__(self):
        return f"{self.description} {self.quantity.normalize():f} {self.get_unit_display()}"


class ExpectedDelivery(models.Model):
    """A delivery a scheduled or recurring pledge promises for a date. Generated by
    `expected_deliveries_generate` (idempotent: one row per pledge and date)."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        OPEN = "open", _("Expected")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("pledge"),
        on_delete=models.CASCADE,
        related_name="expected_deliveries",
    )
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    delivery = models.OneToOneField(
        Delivery,
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expected",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("expected delivery")
        verbose_name_plural = _("expected deliveries")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "due_on"], name="expected_delivery_once")
        ]

    def __str__(self):
        return f"{self.due_on} {self.pledge.supporter}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class CorporateWallEntry(models.Model):
    """A company on the corporate supporters wall. Shown only while the company's current
    consent (members ConsentRecord "supporters_wall") is granted; staff set logo, link, order."""

    supporter = models.OneToOneField(
        "members.Supporter",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="wall_entry",
        limit_choices_to={"kind": "organisation"},
    )
    display_name = models.CharField(
        _("name shown"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty to show the organisation name."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link = models.URLField(_("link"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0, db_index=True)

    panels = [
        FieldPanel("supporter"),
        FieldPanel("display_name"),
        FieldPanel("logo"),
        FieldPanel("link"),
    ]
    sort_order_field = "sort_order"

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("corporate wall entry")
        verbose_name_plural = _("corporate supporters wall")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.supporter.display_name


class PledgePage(RoutablePageMixin, Page):
    """The public pledge form for goods: wishlist, goods lines, delivery, and the company wall.

    New pledgers get a supporter record with the join page's double opt-in (members.services);
    sub-pages: the form, thanks, and the e-mail confirmation links (members.views)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    thank_you_text = RichTextField(
        _("text after submitting"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    warehouse_address = models.TextField(
        _("warehouse address and opening hours"),
        blank=True,
        help_text=_("Shown to people who choose drop-off."),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_policy_version = models.CharField(
        _("privacy policy version"), max_length=20, default="2026-04"
    )
    show_wall = models.BooleanField(_("show the corporate supporters wall"), default=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("warehouse_address"),
        FieldPanel("thank_you_text"),
        FieldPanel("privacy_page"),
        FieldPanel("privacy_policy_version"),
        FieldPanel("show_wall"),
    ]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("pledge page (goods)")

    @path("", name="pledge")
    def pledge_view(self, request):
        from .inkind_views import pledge_form

        return pledge_form(request, self)

    @path("thanks/", name="thanks")
    def thanks_view(self, request):
        from .inkind_views import pledge_thanks

        return pledge_thanks(request, self)

    # The double opt-in links of supporters created here (members.views does the work).
    @path("confirm/<str:token>/", name="confirm")
    def confirm_view(self, request, token):
        from members import views

        return views.join_confirm(request, self, token)

    @path("new-link/", name="resend")
    def resend_view(self, request):
        from members import views

        return views.join_resend(request, self)

"""In-kind goods: the wishlist, pledges and their lines, deliveries and their lines, expected
deliveries, the corporate supporters wall and the public pledge page.

Rules live in `services.py` (writes) and `selectors.py` (reads); staff screens in `admin/`.
Quantities are Decimal (kg and litres can be fractional), value estimates whole yen.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel

from ouendan.core.translated import ENGLISH_HELP, translated

from .vocabulary import GoodsCategory, GoodsUnit

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
    name_en = models.CharField(
        _("item (English)"),
        max_length=120,
        blank=True,
        help_text=ENGLISH_HELP,
    )
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
    notes_en = models.TextField(
        _("storage notes (English)"),
        blank=True,
        help_text=ENGLISH_HELP,
    )
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
        # In the page's language: name_en on English pages when staff wrote it.
        return f"{translated(self, 'name')} ({self.get_unit_display()})"


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
        CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")

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

    name.fget.short_description = _("name")  # the list's column heading


# The public pledge page is a model of this app too; it lives in pages.py (a page, not a record).
from .pages import PledgePage  # noqa: E402, F401

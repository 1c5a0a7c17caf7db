"""Campaigns (goal pages with live progress) and thanking donors.

Money is never stored here: progress is computed from the donations ledger
(`campaigns/services.py`), and thank-you e-mails go through the outbox (`campaigns/thanks.py`).
"""

import datetime
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from donations.blocks import DonateBlock
from donations.models import DonatePage
from ouendan.core.display import local_date
from ouendan.core.routing import OneQueryChildRouteMixin, TreeCachedViewRestrictionsMixin
from ouendan.core.slugs import AsciiSlugPageForm

from .blocks import BodyBlock
from .tally import CampaignTally  # noqa: F401  (a model of this app, kept beside its logic)

# --- Pages -------------------------------------------------------------------------------------


class CampaignUpdateBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("Date"))
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "date"
        label = pgettext_lazy("campaign update", "Update")


class CampaignStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class CampaignIndexPage(OneQueryChildRouteMixin, Page):
    """All campaigns: active first, then upcoming, then ended. New campaign pages under it go
    through the campaign review workflow (キャンペーンの確認: draft → review by 編集者 →
    publish)."""

    base_form_class = AsciiSlugPageForm

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["campaigns.CampaignPage"]
    # What campaign_page.html shows of a campaign besides its own fields (routing fetches them).
    child_select_related = ("hero_image", "pledge_page")

    class Meta:
        verbose_name = _("campaign index page")

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        from .services import campaign_review_workflow_assign  # services import these models

        campaign_review_workflow_assign(index_page=self)
        return result

    def get_context(self, request, *args, **kwargs):
        from .selectors import campaigns_with_progress  # selectors import these models

        context = super().get_context(request, *args, **kwargs)
        campaigns = list(
            CampaignPage.objects.child_of(self)
            .live()
            .public()
            .select_related("hero_image")
            .order_by("-start_date", "pk")
        )
        cards = campaigns_with_progress(campaigns=campaigns)
        context["active_campaigns"] = [c for c in cards if c.status == CampaignStatus.ACTIVE]
        context["upcoming_campaigns"] = [c for c in cards if c.status == CampaignStatus.UPCOMING]
        context["ended_campaigns"] = [c for c in cards if c.status == CampaignStatus.ENDED]
        return context


class CampaignPage(TreeCachedViewRestrictionsMixin, Page):
    """One campaign: a money goal and/or goods goals, dates, a donate form, updates, a wall."""

    base_form_class = AsciiSlugPageForm
    slug_prefix = "campaign"

    # The thank-you page after Checkout names the campaign a gift was for (donations/
    # checkout_thanks.py asks pages this instead of importing campaigns).
    names_gifts_on_thanks = True

    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(
        _("summary"), max_length=300, help_text=_("One or two sentences, also used when shared.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    goal_yen = models.PositiveIntegerField(
        _("money goal (yen)"), null=True, blank=True, help_text=_("Leave empty for goods only.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    donate = StreamField(
        [("donate", DonateBlock())],
        verbose_name=_("donate form"),
        blank=True,
        max_num=2,
        help_text=_("One-off and/or monthly amounts; gifts are counted for this campaign."),
    )
    pledge_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page for pledging goods"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updates = StreamField(
        [("update", CampaignUpdateBlock())], verbose_name=_("updates"), blank=True
    )
    show_supporters_wall = models.BooleanField(_("show the supporters' wall"), default=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        MultiFieldPanel(
            [
                FieldPanel("goal_yen"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                InlinePanel("goods_goals", label=_("goods goals")),
            ],
            heading=_("Goal and dates"),
        ),
        FieldPanel("body"),
        FieldPanel("donate"),
        FieldPanel("pledge_page"),
        FieldPanel("updates"),
        FieldPanel("show_supporters_wall"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["campaigns.CampaignIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("campaign page")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The campaign cannot end before it starts.")})

    def status_on(self, day: datetime.date) -> str:
        if self.start_date and day < self.start_date:
            return CampaignStatus.UPCOMING
        if self.end_date and day > self.end_date:
            return CampaignStatus.ENDED
        return CampaignStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def days_left(self) -> int | None:
        """Whole days after today until the end date (0 on the last day); None if open-ended."""
        if not self.end_date:
            return None
        return max((self.end_date - timezone.localdate()).days, 0)

    def get_context(self, request, *args, **kwargs):
        # selectors import these models
        from .selectors import campaign_goods_progress, campaign_progress, supporters_wall

        context = super().get_context(request, *args, **kwargs)
        context["progress"] = campaign_progress(campaign=self)
        context["goods"] = campaign_goods_progress(campaign=self)
        context["wall"] = supporters_wall(campaign=self) if self.show_supporters_wall else []
        context["updates"] = sorted(
            (block.value for block in self.updates), key=lambda update: update["date"], reverse=True
        )
        if not self.donate:
            context["donate_page"] = (
                DonatePage.objects.live().filter(locale_id=self.locale_id).first()
            )
        return context

    def serve(self, request, *args, **kwargs):
        from .page_cache import campaign_page_serve_cached  # page_cache imports these models

        return campaign_page_serve_cached(
            page=self, request=request, render=lambda: super(CampaignPage, self).serve(request)
        )


class CampaignGoodsGoal(Orderable):
    """A wishlist item this campaign collects, with its target quantity."""

    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="goods_goals")
    wishlist_item = models.ForeignKey(
        "goods.WishlistItem",
        verbose_name=_("wishlist item"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    target_quantity = models.DecimalField(
        _("target quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the quantity the wishlist item needs."),
    )

    panels = [FieldPanel("wishlist_item"), FieldPanel("target_quantity")]

    class Meta(Orderable.Meta):
        verbose_name = _("goods goal")
        verbose_name_plural = _("goods goals")


class SupportersWallPage(Page):
    """Thank-you wall: every donor who agreed to be named, newest gift first."""

    base_form_class = AsciiSlugPageForm

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("supporters' wall page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import supporters_wall  # selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context["wall"] = supporters_wall(campaign=None, limit=200)
        return context


# --- Thank-you messages ------------------------------------------------------------------------


class ThankYouKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off gift")
    FIRST_MONTHLY = "first_monthly", _("First monthly gift")
    MEMBERSHIP_JOINED = "membership_joined", _("Membership joined")
    MEMBERSHIP_RENEWED = "membership_renewed", _("Membership renewed")
    INKIND_DELIVERY = "inkind_delivery", _("In-kind delivery")
    CAMPAIGN_GOAL_REACHED = "campaign_goal_reached", _("Campaign goal reached")
    BULK = "bulk", _("Thanks sent by staff")
    VOLUNTEER_MILESTONE = "volunteer_milestone", _("Volunteer milestone")


PLACEHOLDERS = (
    "name",
    "amount",
    "campaign",
    "date",
    "organisation",
    "items",
    "milestone",
    "shifts",
    "hours",
)


def placeholders_validate(text: str) -> None:
    """Only the PLACEHOLDERS ({name} {amount}…); braces otherwise doubled."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            _("A { or } is not closed. Write {{ or }} for a literal brace."), code="braces"
        ) from exc
    unknown = sorted(
        {
            field
            for _literal, field, spec, conversion in parts
            if field is not None and (field not in PLACEHOLDERS or spec or conversion)
        }
    )
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(unknown)s. You can use: %(allowed)s."),
            params={
                "unknown": ", ".join("{" + name + "}" for name in unknown),
                "allowed": " ".join("{" + name + "}" for name in PLACEHOLDERS),
            },
            code="placeholder",
        )


class ThankYouTemplate(models.Model):
    """A staff-editable thank-you e-mail, one per kind and language."""

    kind = models.CharField(_("kind"), max_length=24, choices=ThankYouKind.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=150, validators=[placeholders_validate])
    body = models.TextField(
        _("body"),
        validators=[placeholders_validate],
        help_text=_(
            "Placeholders: {name} {amount} {campaign} {date} {organisation}, and {items} "
            "(the goods received) for in-kind deliveries; {milestone} {shifts} {hours} for "
            "volunteer milestones. Write {{ or }} for a literal brace."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("language")]),
        FieldPanel("subject"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("thank-you template")
        verbose_name_plural = _("thank-you templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="thankyou_template_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


class ThankYouLog(models.Model):
    """One row per thank-you, unique per (kind, object): a gift is thanked once, even if the
    task that thanks it runs twice or concurrently."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued in the outbox")
        NO_EMAIL = "no_email", _("No e-mail address")

    kind = models.CharField(_("kind"), max_length=24, choices=ThankYouKind.choices)
    object_key = models.CharField(_("for"), max_length=100)
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("supporter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.ForeignKey(
        "core.OutgoingEmail",
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thank-you log entry")
        verbose_name_plural = _("thank-you log")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key"], name="thankyou_once_per_object")
        ]

    def __str__(self):
        # Staff read the kind and whom it thanked; the object key is an internal guard.
        return (
            f"{self.get_kind_display()}: {self.supporter}"
            if self.supporter_id
            else (str(self.get_kind_display()))
        )


class ThankYouBatch(models.Model):
    """Staff thank everyone who gave to a campaign (or in a date range) in one go."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    campaign = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_from = models.DateField(_("gifts from"), null=True, blank=True)
    paid_to = models.DateField(_("gifts until"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("body"))
    subject_en = models.CharField(_("subject (English)"), max_length=150, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    total = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk thank-you")
        verbose_name_plural = _("bulk thank-yous")
        permissions = [("send_thankyoubatch", "Can send bulk thank-you e-mails")]

    def __str__(self):
        # thanks_display reads this module's models: imported here, not at the top.
        from .thanks_display import thank_you_batch_title

        return f"{thank_you_batch_title(self)} ({local_date(self.created_at)})"


class ThankYouBatchRecipient(models.Model):
    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        QUEUED = "queued", _("Queued in the outbox")
        NO_EMAIL = "no_email", _("No e-mail address")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(ThankYouBatch, on_delete=models.CASCADE, related_name="recipients")
    supporter = models.ForeignKey(
        "members.Supporter", verbose_name=_("supporter"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    email = models.ForeignKey(
        "core.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "supporter"], name="thankyou_batch_once")
        ]

    def __str__(self):
        return f"{self.batch_id}: {self.supporter_id} {self.status}"

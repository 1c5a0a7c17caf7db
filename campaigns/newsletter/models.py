"""Mail news (メールニュース): issues written as Wagtail pages, saved audiences, and mailings that
freeze their recipients (one row each, unique per mailing and supporter)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from campaigns.models import placeholders_validate
from members.models import Area, Interest
from ouendan.core.slugs import AsciiSlugPageForm

from .blocks import NewsletterBodyBlock

PLACEHOLDER_HELP = _("You can use the thank-you placeholders, e.g. {name}.")


class NewsletterIndexPage(Page):
    """The public archive: issues marked public, newest first."""

    base_form_class = AsciiSlugPageForm
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["newsletter.NewsletterPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("newsletter archive")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = (
            NewsletterPage.objects.child_of(self)
            .live()
            .public()
            .filter(is_public=True)
            .order_by("-first_published_at", "-pk")
        )
        return context


class NewsletterPage(Page):
    """One issue. The title is the mail's subject. It is mailed from the staff screen
    "Send by e-mail" once published (through the review workflow); the English translation
    goes to supporters who read English, the Japanese issue to everybody else."""

    base_form_class = AsciiSlugPageForm
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        help_text=_("One line shown after the subject in mail programs and in the archive."),
    )
    greeting = models.CharField(
        _("greeting"), max_length=200, blank=True, help_text=PLACEHOLDER_HELP
    )
    body = StreamField(NewsletterBodyBlock(), verbose_name=_("body"), blank=True)
    is_public = models.BooleanField(
        _("show in the public archive"),
        default=False,
        help_text=_("Issues not shown in the archive are only sent by e-mail."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("preheader"),
        FieldPanel("greeting"),
        FieldPanel("body"),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel([FieldPanel("is_public")], heading=_("Archive"))
    ]
    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def clean(self):
        super().clean()
        errors = {}
        for field in ("title", "greeting"):
            try:
                placeholders_validate(getattr(self, field) or "")
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    def serve(self, request, *args, **kwargs):
        # Issues kept out of the archive have no web view (previews in the admin still work).
        if not self.is_public:
            raise Http404
        return super().serve(request, *args, **kwargs)


class Choice(models.TextChoices):
    """Yes / no / either for the segment's filters."""

    ANY = "", _("Either")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class AudienceSegment(models.Model):
    """A saved audience: supporters who consented to the newsletter (always) and match every
    filter set here. Counted before sending; a mailing freezes who it was at that moment."""

    class Lapsed(models.TextChoices):
        ANY = "", _("Anyone")
        LYBUNT = "lybunt", _("Gave last year, not this year (LYBUNT)")
        SYBUNT = "sybunt", _("Gave in earlier years, not last year or this year (SYBUNT)")
        EITHER = "lapsed", _("Either (lapsed donors)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    supporter_kind = models.CharField(
        _("supporter kind"),
        max_length=20,
        blank=True,
        choices=[("", _("Anyone")), ("person", _("Person")), ("organisation", _("Organisation"))],
    )
    school_districts = models.ManyToManyField(
        Area,
        blank=True,
        verbose_name=_("school districts"),
        limit_choices_to={"kind": Area.Kind.SCHOOL_DISTRICT},
        related_name="+",
        help_text=_("Volunteers who help in any of these districts. Empty: everywhere."),
    )
    interests = models.ManyToManyField(
        Interest,
        blank=True,
        verbose_name=_("interests"),
        related_name="+",
        help_text=_("Volunteers with any of these interests. Empty: any."),
    )
    volunteer = models.CharField(_("volunteer"), max_length=3, blank=True, choices=Choice.choices)
    monthly_donors = models.CharField(
        _("monthly donor"), max_length=3, blank=True, choices=Choice.choices
    )
    lapsed = models.CharField(_("lapsed donors"), max_length=8, blank=True, choices=Lapsed.choices)
    corporate_contacts = models.CharField(
        _("corporate contact"),
        max_length=3,
        blank=True,
        choices=Choice.choices,
        help_text=_("Organisations, and supporters who pledged goods."),
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        choices=[("", _("Any language")), ("ja", "日本語"), ("en", "English")],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("supporter_kind"),
        FieldPanel("language"),
        FieldPanel("volunteer"),
        FieldPanel("school_districts"),
        FieldPanel("interests"),
        FieldPanel("monthly_donors"),
        FieldPanel("lapsed"),
        FieldPanel("corporate_contacts"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self):
        return self.name


class Mailing(models.Model):
    """One issue sent to one audience: scheduled, then sending in batches, then sent."""

    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    page = models.ForeignKey(
        NewsletterPage,
        verbose_name=_("issue"),
        on_delete=models.PROTECT,
        related_name="mailings",
    )
    segment = models.ForeignKey(
        AudienceSegment,
        verbose_name=_("audience"),
        on_delete=models.PROTECT,
        related_name="mailings",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    send_at = models.DateTimeField(_("send at"), default=timezone.now, db_index=True)
    # The live revision of the issue in each language when sending started: later edits to
    # the page do not change what the rest of the audience receives.
    revisions = models.JSONField(default=dict, blank=True, editable=False)
    recipients_total = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Last time a worker moved this mailing on: the sweeper restarts one that stopped moving.
    touched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-send_at", "-pk"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        permissions = [("send_mailing", _("Can send newsletters"))]

    def __str__(self):
        return f"{self.page.title} → {self.segment.name}"


class MailingRecipient(models.Model):
    """One recipient of one mailing: the newsletter's outbox row. PENDING → SENDING (claimed
    and committed before the send) → SENT; a worker killed mid-send leaves SENDING, which is
    never sent again (a lost mail is visible, a doubled one cannot be undone)."""

    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent (unconfirmed)")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent (unsubscribed or suppressed meanwhile)")
        FAILED = "failed", _("Failed")

    class Delivery(models.TextChoices):
        UNKNOWN = "", _("No report yet")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    mailing = models.ForeignKey(
        Mailing, verbose_name=_("mailing"), on_delete=models.CASCADE, related_name="recipients"
    )
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("supporter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="ja")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    delivery = models.CharField(_("delivery"), max_length=12, blank=True, choices=Delivery.choices)
    message_id = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "supporter"], name="newsletter_recipient_once"
            )
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="newsletter_rcpt_status")]

    def __str__(self):
        return self.email

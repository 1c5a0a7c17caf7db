from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock


@register_setting(icon="site")
class OrganisationSettings(BaseSiteSetting):
    """Who runs this site: shown in the header and footer, later on receipts."""

    name = models.CharField(_("organisation name"), max_length=120, default="子どもの未来応援団")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    representative = models.CharField(_("representative"), max_length=120, blank=True)
    footer_note = models.TextField(_("footer note"), blank=True)
    # Printed on receipts and annual donation certificates (donations/receipts/pdf.py).
    legal_form = models.CharField(
        _("legal form"),
        max_length=60,
        blank=True,
        help_text=_("For example 認定特定非営利活動法人. Printed on receipts."),
    )
    corporate_number = models.CharField(_("corporate number (法人番号)"), max_length=13, blank=True)
    certification_number = models.CharField(
        _("certification number"),
        max_length=100,
        blank=True,
        help_text=_("The certified NPO's approval reference, e.g. ○○県指令第123号."),
    )
    certification_date = models.DateField(_("certification date"), null=True, blank=True)
    receipt_note = models.TextField(
        _("note on receipts"),
        blank=True,
        help_text=_("Printed at the foot of every receipt and donation certificate."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("tagline"), FieldPanel("logo")], heading=_("Identity")
        ),
        MultiFieldPanel(
            [
                FieldPanel("postal_code"),
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("representative"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("footer_note"),
        MultiFieldPanel(
            [
                FieldPanel("legal_form"),
                FieldPanel("corporate_number"),
                FieldPanel("certification_number"),
                FieldPanel("certification_date"),
                FieldPanel("receipt_note"),
            ],
            heading=_("Receipts and donation certificates"),
        ),
    ]

    @classmethod
    def for_default_site(cls) -> "OrganisationSettings":
        """The settings of the default site: what mail, receipts and certificates are signed
        with when there is no request to pick a site from (unsaved defaults without a site)."""
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        return cls.for_site(site) if site else cls()

    class Meta:
        verbose_name = _("organisation")


class HomePage(Page):
    hero_heading = models.CharField(_("hero heading"), max_length=120)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_label = models.CharField(_("hero button label"), max_length=40, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("hero button page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    featured_heading = models.CharField(
        _("featured campaigns heading"), max_length=120, blank=True, default="応援中のキャンペーン"
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_label"),
                FieldPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("featured_heading"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("hero_text"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from campaigns.services import campaigns_featured

        # Active campaigns with their progress (campaigns/services.py); none: nothing shown.
        context["featured_campaigns"] = campaigns_featured(limit=3)
        return context


class StandardPage(Page):
    """A plain content page: about us, privacy policy, how to volunteer..."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(Page):
    """News and activity reports (活動報告), newest first."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["home.NewsPage"]
    page_size = 10

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["articles"] = Paginator(articles, self.page_size).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.TextField(_("summary"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news page")


class OutgoingEmail(models.Model):
    """The e-mail outbox. Every message is stored here before anything is sent.

    huey delivers a task at most once, so the row, not the task, is the source of truth: the
    unique `key` (e.g. "renewal-reminder:30:membership-12:2027-04-01") stops a message from being
    queued twice, sending marks it sent under a row lock, and a periodic sweep re-queues whatever
    is still pending after a lost task.
    """

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        # Marked before the send: a worker killed mid-send leaves the row here for staff to see,
        # never re-sends it (a lost mail is visible, a doubled one is not undoable).
        SENDING = "sending", _("Being sent (unconfirmed)")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Category(models.TextChoices):
        GENERAL = "general", _("General")
        # Gifts, payments and receipts: readable by Finance only.
        MONEY = "money", _("Money")

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    # What staff may read: single-use links are redacted here.
    body = models.TextField(_("body"))
    # The body as sent when it holds a single-use link; shown on no staff screen and emptied
    # once the message is sent or has failed.
    secret_body = models.TextField(blank=True, editable=False)
    category = models.CharField(
        _("category"),
        max_length=10,
        choices=Category.choices,
        default=Category.GENERAL,
        db_index=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("supporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        # Money mail (gifts, payments, receipts, fees) is readable by Finance only.
        permissions = [("view_money_email", _("Can view money-related e-mails"))]

    def __str__(self):
        return f"{self.subject} → {self.to}"


# --- Impact figures staff enter (home/impact.py computes every other figure) -----------------


class StaffImpactFigure(models.Model):
    """A yearly figure the site holds no data for, typed once and shown by every live impact
    block: the number of households supported."""

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    households_supported = models.PositiveIntegerField(_("households supported"))
    note = models.CharField(
        _("note"), max_length=120, blank=True, help_text=_("For example: 273 children registered")
    )

    panels = [FieldPanel("year"), FieldPanel("households_supported"), FieldPanel("note")]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("impact figure entered by staff")
        verbose_name_plural = _("impact figures entered by staff")

    def __str__(self):
        return f"{self.year}: {self.households_supported}"

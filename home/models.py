from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from campaigns.blocks import BodyBlock
from campaigns.selectors import campaigns_featured
from members.selectors import page_is_privacy_notice
from ouendan.core.blocks import CallToActionBlock
from ouendan.core.routing import OneQueryChildRouteMixin
from ouendan.core.slugs import AsciiSlugPageForm
from ouendan.core.translated import ENGLISH_HELP

from .blocks import AnnualReportBlock, ImpactBodyBlock


class HomePage(OneQueryChildRouteMixin, Page):
    base_form_class = AsciiSlugPageForm

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
        # Active campaigns with their progress (campaigns/services.py); none: nothing shown.
        context["featured_campaigns"] = campaigns_featured(limit=3)
        return context


class StandardPage(Page):
    """A plain content page: about us, privacy policy, how to volunteer..."""

    base_form_class = AsciiSlugPageForm

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # With open and click tracking on, the privacy policy (the page a join form links to)
        # says so by itself, in the page's language; off: no paragraph and no extra query.
        context["mail_tracking_notice"] = (
            settings.NEWSLETTER_TRACK_OPENS_CLICKS and page_is_privacy_notice(self)
        )
        return context


class NewsIndexPage(OneQueryChildRouteMixin, Page):
    """News and activity reports (活動報告), newest first."""

    base_form_class = AsciiSlugPageForm

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["home.NewsPage"]
    child_select_related = ("image",)  # shown by news_page.html, fetched when routing
    page_size = 10

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["articles"] = Paginator(articles, self.page_size).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    base_form_class = AsciiSlugPageForm

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


class ImpactPage(Page):
    """活動の成果: a year's figures counted from the data, the use of funds (使途) by programme,
    goods against the wishlist, stories, annual reports and calls to action (home/impact_page.py).
    """

    base_form_class = AsciiSlugPageForm

    intro = models.TextField(_("introduction"), blank=True)
    figures_heading = models.CharField(
        _("figures heading"), max_length=120, blank=True, default="数字で見る応援団"
    )
    body = StreamField(
        ImpactBodyBlock(),
        verbose_name=_("stories"),
        blank=True,
        help_text=_("Stories, photos and quotes: what the figures mean for children and families."),
    )
    reports = StreamField(
        [("report", AnnualReportBlock())], verbose_name=_("annual reports"), blank=True
    )
    calls_to_action = StreamField(
        [("call_to_action", CallToActionBlock(label=_("Call to action")))],
        verbose_name=_("calls to action"),
        blank=True,
        max_num=4,
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("figures_heading"),
        InlinePanel(
            "spending",
            label=_("Spending entered by staff"),
            help_text=_(
                "Only where the ledger has no gifts for that programme in that year, or for "
                "costs no programme covers."
            ),
        ),
        FieldPanel("body"),
        FieldPanel("reports"),
        FieldPanel("calls_to_action"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("impact page")

    def get_context(self, request, *args, **kwargs):
        from .impact_page import impact_panel  # impact.py imports these models

        context = super().get_context(request, *args, **kwargs)
        context.update(impact_panel(page=self, request=request))
        context["annual_reports"] = sorted(
            (block.value for block in self.reports), key=lambda report: -report["year"]
        )
        return context


class ImpactSpending(Orderable):
    """Money spent on a programme in a year, typed by staff where the ledger shows nothing."""

    page = ParentalKey(ImpactPage, on_delete=models.CASCADE, related_name="spending")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    programme = models.ForeignKey(
        "donations.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    label = models.CharField(
        _("label"), max_length=80, blank=True, help_text=_("When no programme fits, e.g. 運営費.")
    )
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("amount_yen")]),
        FieldRowPanel([FieldPanel("programme"), FieldPanel("label")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("spending entered by staff")
        verbose_name_plural = _("spending entered by staff")

    def clean(self):
        super().clean()
        if not self.programme_id and not self.label:
            raise ValidationError({"label": _("Choose a programme or type a label.")})


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
    note_en = models.CharField(
        _("note (English)"),
        max_length=120,
        blank=True,
        help_text=ENGLISH_HELP,
    )

    panels = [
        FieldPanel("year"),
        FieldPanel("households_supported"),
        FieldPanel("note"),
        FieldPanel("note_en"),
    ]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("impact figure entered by staff")
        verbose_name_plural = _("impact figures entered by staff")

    def __str__(self):
        return f"{self.year}: {self.households_supported}"

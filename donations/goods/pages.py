"""The public pledge page (a Wagtail page type of the goods app; its views are in views.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from members import views as member_views


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

    # Views are imported when a route is served: they import forms and models, which import
    # this page (models.py), so a module-level import would be circular.
    @path("", name="pledge")
    def pledge_view(self, request):
        from .views import pledge_form  # views import this module (see above)

        return pledge_form(request, self)

    @path("thanks/", name="thanks")
    def thanks_view(self, request):
        from .views import pledge_thanks  # views import this module (see above)

        return pledge_thanks(request, self)

    # The double opt-in links of supporters created here (members.views does the work).
    @path("confirm/<str:token>/", name="confirm")
    def confirm_view(self, request, token):
        return member_views.join_confirm(request, self, token)

    @path("new-link/", name="resend")
    def resend_view(self, request):
        return member_views.join_resend(request, self)

"""The Wagtail pages staff place in the tree: the join page and the member portal."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as page_route
from wagtail.fields import RichTextField
from wagtail.models import Page

from .lists import MembershipPlan


def _views():
    """members.views, which imports these models: loaded when the first page is served."""
    # Import cycle: members.views imports members.models at module level.
    from members import views

    return views


def _volunteering_views():
    """members.volunteering.portal_views, which imports these models: loaded when served."""
    # Import cycle: the volunteering views import members.models at module level.
    from members.volunteering import portal_views

    return portal_views


class JoinPage(RoutablePageMixin, Page):
    """The public sign-up form: supporter, volunteer or corporate supporter.

    Sub-pages (members/views.py does the work): the form, "check your e-mail", the e-mail
    confirmation link and a form to ask for a new confirmation link.
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    thank_you_text = RichTextField(
        _("text after submitting"), blank=True, features=["bold", "italic", "link", "ul"]
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
        _("privacy policy version"),
        max_length=20,
        default="2026-04",
        help_text=_("Recorded with every consent. Change it when the policy changes."),
    )
    plans = ParentalManyToManyField(MembershipPlan, blank=True, verbose_name=_("plans offered"))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("thank_you_text"),
        FieldPanel("privacy_page"),
        FieldPanel("privacy_policy_version"),
        FieldPanel("plans"),
    ]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("join page")

    @page_route("", name="join")
    def join_view(self, request):
        return _views().join(request, self)

    @page_route("thanks/", name="thanks")
    def thanks_view(self, request):
        return _views().join_thanks(request, self)

    @page_route("confirm/<str:token>/", name="confirm")
    def confirm_view(self, request, token):
        return _views().join_confirm(request, self, token)

    @page_route("new-link/", name="resend")
    def resend_view(self, request):
        return _views().join_resend(request, self)


class MemberPortalPage(RoutablePageMixin, Page):
    """Where supporters log in by e-mail link to see and edit what we hold about them.

    Passwordless: the visitor asks for a single-use login link; the session then holds the
    supporter's id. Every sub-page is private and never cached (members/views.py).
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("member portal page")

    def serve(self, request, view=None, args=None, kwargs=None):
        return _views().portal_no_store(super().serve(request, view, args, kwargs))

    @page_route("", name="portal")
    def portal_view(self, request):
        return _views().portal_home(request, self)

    @page_route("login/", name="login")
    def login_view(self, request):
        return _views().portal_login(request, self)

    @page_route("login/sent/", name="login_sent")
    def login_sent_view(self, request):
        return _views().portal_login_sent(request, self)

    @page_route("login/<str:token>/", name="redeem")
    def redeem_view(self, request, token):
        return _views().portal_redeem(request, self, token)

    @page_route("logout/", name="logout")
    def logout_view(self, request):
        return _views().portal_logout(request, self)

    @page_route("profile/", name="profile")
    def profile_view(self, request):
        return _views().portal_profile(request, self)

    @page_route("volunteering/", name="volunteer")
    def volunteer_view(self, request):
        return _views().portal_volunteer(request, self)

    @page_route("shifts/", name="shifts")
    def shifts_view(self, request):
        return _volunteering_views().portal_shifts(request, self)

    @page_route("shifts/<int:shift_id>/signup/", name="shift_signup")
    def shift_signup_view(self, request, shift_id):
        return _volunteering_views().portal_shift_signup(request, self, shift_id)

    @page_route("shifts/signups/<int:signup_id>/cancel/", name="signup_cancel")
    def signup_cancel_view(self, request, signup_id):
        return _volunteering_views().portal_signup_cancel(request, self, signup_id)

    @page_route("shifts/calendar/", name="shift_feed")
    def shift_feed_view(self, request):
        return _volunteering_views().portal_shift_feed(request, self)

    @page_route("shifts/certificate/<int:year>/", name="shift_certificate")
    def shift_certificate_view(self, request, year):
        return _volunteering_views().portal_certificate(request, self, year)

    @page_route("consents/", name="consents")
    def consents_view(self, request):
        return _views().portal_consents(request, self)

    @page_route("download/<str:fmt>/", name="export")
    def export_view(self, request, fmt):
        return _views().portal_export(request, self, fmt)

    @page_route("delete/", name="delete")
    def delete_view(self, request):
        return _views().portal_delete(request, self)

    @page_route("deleted/", name="deleted")
    def deleted_view(self, request):
        return _views().portal_deleted(request, self)

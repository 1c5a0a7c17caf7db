"""Wagtail admin hooks for mail news: audiences (snippet), the mailings screens, a "Send by
e-mail" button on issues."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from . import admin_views
from .models import NewsletterPage

register_snippet(admin_views.AudienceSegmentViewSet)


@hooks.register("register_admin_urls")
def register_mailing_urls():
    return [path("mailings/", include((admin_views.urlpatterns, "newsletter_mailings")))]


class _MailingsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.SEND_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_mailings_menu_item():
    return _MailingsMenuItem(
        _("Mail news"), reverse("newsletter_mailings:list"), icon_name="mail", order=422
    )


@hooks.register("register_page_header_buttons")
def send_issue_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, NewsletterPage) and user.has_perm(
        admin_views.SEND_PERMISSION
    ):
        yield Button(
            _("Send by e-mail"),
            reverse("newsletter_mailings:send", args=[page.pk]),
            icon_name="mail",
            priority=80,
        )

"""Wagtail admin hooks for campaigns: thank-you templates and log, bulk thank-yous, a "Thank
donors" button on campaign pages."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from . import admin_views
from .models import CampaignPage

register_snippet(admin_views.ThanksViewSetGroup)


@hooks.register("register_admin_urls")
def register_bulk_thanks_urls():
    return [path("campaign-thanks/", include((admin_views.urlpatterns, "campaign_thanks")))]


class _BulkThanksMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.BULK_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_bulk_thanks_menu_item():
    return _BulkThanksMenuItem(
        _("Bulk thank-yous"), reverse("campaign_thanks:list"), icon_name="mail", order=421
    )


@hooks.register("register_page_header_buttons")
def thank_donors_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, CampaignPage) and user.has_perm(
        admin_views.BULK_PERMISSION
    ):
        yield Button(
            _("Thank donors"),
            reverse("campaign_thanks:new") + f"?campaign={page.pk}",
            icon_name="mail",
            priority=80,
        )

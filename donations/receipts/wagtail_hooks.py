from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from ouendan.core.staff_home import STAFF_HOME_HOOK, TODO, StaffHomeItem

from . import admin_views, selectors
from .viewsets import BATCH_START, receipt_viewset


@hooks.register("register_admin_viewset")
def register_receipt_viewset():
    return receipt_viewset


@hooks.register("register_admin_urls")
def register_receipt_tool_urls():
    return [path("receipt-tools/", include((admin_views.urlpatterns, "receipt_tools")))]


@hooks.register(STAFF_HOME_HOOK)
def receipts_staff_home_items(request):
    """Donors of last year still without their annual certificate, and batches under way."""
    if not request.user.has_perm(BATCH_START):
        return []
    year = timezone.localdate().year - 1
    return [
        StaffHomeItem(
            section=TODO,
            name="certificates_due",
            label=_("Donors of %(year)s without an annual certificate") % {"year": year},
            count=selectors.certificates_due_count(year=year),
            url=reverse("receipt_tools:batches"),
            order=60,
        ),
        StaffHomeItem(
            section=TODO,
            name="receipt_batches_running",
            label=_("Yearly certificate batches under way"),
            count=selectors.receipt_batches_running_count(),
            url=reverse("receipt_tools:batches"),
            order=61,
        ),
    ]

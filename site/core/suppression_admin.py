"""The staff list of suppressed addresses (bounced or marked as spam): read-only; addresses
are personal data, so only those who may view them (Member staff) see it."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .admin_display import DisplayIndexMixin, DisplayInspectMixin, LocalDateTimeColumn
from .admin_permissions import ViewOnlyPermissionPolicy
from .models import SuppressedAddress


class SuppressedAddressIndexView(DisplayIndexMixin, generic.IndexView):
    pass


class SuppressedAddressInspectView(DisplayInspectMixin, generic.InspectView):
    pass


class SuppressedAddressViewSet(ModelViewSet):
    model = SuppressedAddress
    icon = "warning"
    menu_label = _("Suppressed addresses")
    add_to_admin_menu = True
    menu_order = 810
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # ModelViewSet needs a form; its edit views are refused
    inspect_view_enabled = True
    index_view_class = SuppressedAddressIndexView
    inspect_view_class = SuppressedAddressInspectView
    list_display = [
        "email",
        "reason",
        "provider",
        LocalDateTimeColumn("recorded_at", label=_("Recorded"), sort_key="recorded_at"),
    ]
    list_filter = ["reason"]
    search_fields = ["email"]
    inspect_view_fields = ["email", "reason", "detail", "provider", "recorded_at"]


register_permission_policy(SuppressedAddress, ViewOnlyPermissionPolicy(SuppressedAddress))
suppressed_address_viewset = SuppressedAddressViewSet("suppressed_addresses")

"""Memberships: the list, detail and edit screens."""

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core.exports import SafeSpreadsheetExportMixin

from ..models import (
    Membership,
)
from .chooser import supporter_chooser_viewset


class MembershipFilterSet(WagtailFilterSet):
    class Meta:
        model = Membership
        fields = ["status", "plan", "auto_renew"]


class MembershipIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return Membership.objects.select_related("supporter", "plan")


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "tick-inverse"
    menu_order = 110
    index_view_class = MembershipIndexView
    filterset_class = MembershipFilterSet
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    search_backend_name = None
    search_fields = [
        "supporter__family_name",
        "supporter__family_name_kana",
        "supporter__organisation_name",
        "supporter__email",
    ]
    list_display = ["__str__", "status", "units", "amount_yen", "renews_on", "auto_renew"]
    list_export = [
        "supporter",
        "plan",
        "status",
        "units",
        "amount_yen",
        "started_on",
        "renews_on",
        "auto_renew",
        "last_paid_at",
    ]
    panels = [
        FieldPanel("supporter", widget=supporter_chooser_viewset.widget_class),
        FieldPanel("plan"),
        FieldRowPanel([FieldPanel("status"), FieldPanel("units"), FieldPanel("amount_yen")]),
        FieldRowPanel([FieldPanel("started_on"), FieldPanel("renews_on")]),
        FieldPanel("auto_renew"),
    ]

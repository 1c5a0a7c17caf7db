"""Admin registration of the funding screens: the dashboard (menu item shown to Finance only)
and grant income (Finance holds the funding.* permissions)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core.exports import SafeSpreadsheetExportMixin

from .forms import GrantIncomeForm
from .models import GrantIncome
from .views import can_see_dashboard, funding_dashboard


class FundingDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_dashboard(request.user)


class FundingDashboardViewSet(ViewSet):
    icon = "table"
    menu_label = _("Funding dashboard")
    menu_item_class = FundingDashboardMenuItem

    def get_urlpatterns(self):
        return [path("", funding_dashboard, name="index")]


class GrantIncomeIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    pass


class GrantIncomeViewSet(ModelViewSet):
    model = GrantIncome
    icon = "doc-full"
    menu_label = _("Grant income")
    form_fields = GrantIncomeForm.Meta.fields
    index_view_class = GrantIncomeIndexView
    copy_view_enabled = False
    list_display = ["received_on", "grantor", "amount_yen", "note"]
    list_filter = ["received_on", "grantor"]
    search_fields = ["grantor", "note"]
    search_backend_name = None
    list_export = ["received_on", "grantor", "amount_yen", "note"]
    export_filename = "grant-income"

    def get_form_class(self, for_update=False):
        return GrantIncomeForm


class FundingViewSetGroup(ViewSetGroup):
    menu_label = _("Funding")
    menu_icon = "table"
    menu_order = 310
    items = (FundingDashboardViewSet("funding_dashboard"), GrantIncomeViewSet("grant_income"))

"""Staff screens for deliveries received and deliveries due (overdue ones by the one rule in
selectors.overdue_condition)."""

from django.contrib.admin.utils import quote
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from ouendan.core.admin_display import (
    DisplayColumn,
    DisplayIndexMixin,
    DisplayInspectMixin,
    DisplayTitleColumn,
    LocalDateColumn,
)
from ouendan.core.filters import CheckboxFilter

from ..models import Delivery, DeliveryLine, ExpectedDelivery
from ..selectors import expected_deliveries_mark_overdue, overdue_condition
from .policies import lines_summary

# --- Deliveries ----------------------------------------------------------------------------------


class DisplayInspectView(DisplayInspectMixin, generic.InspectView):
    pass


class DeliveryIndexView(DisplayIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("pledge__supporter")
            .prefetch_related(Prefetch("lines", queryset=DeliveryLine.objects.order_by("pk")))
        )

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("goods.view_delivery"):
            buttons.append(
                HeaderButton(
                    _("Export deliveries"),
                    url=reverse("inkind_transfer:export", args=("deliveries",)) + "?format=xlsx",
                    icon_name="download",
                )
            )
        return buttons


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "download"
    menu_label = _("Deliveries")
    menu_order = 120
    index_view_class = DeliveryIndexView
    inspect_view_class = DisplayInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["note"]
    list_filter = ["condition", "over_pledged", "received_on"]
    search_fields = ["pledge__supporter__organisation_name", "lines__description", "received_by"]
    search_backend_name = None

    @property
    def list_display(self):
        return [
            DisplayTitleColumn(
                "received_on",
                label=_("Received on"),
                accessor="received_on",
                get_url=lambda obj: reverse("pledge:inspect", args=(quote(obj.pledge_id),)),
            ),
            DisplayColumn("supporter", label=_("Supporter"), accessor="pledge.supporter"),
            DisplayColumn(
                "goods", label=_("Goods"), accessor=lambda d: lines_summary(d.lines.all())
            ),
            DisplayColumn("condition", label=_("Condition"), accessor="get_condition_display"),
            DisplayColumn("over_pledged", label=_("More than pledged"), accessor="over_pledged"),
            DisplayColumn("received_by", label=_("Received by"), accessor="received_by"),
        ]


# --- Deliveries due and overdue ------------------------------------------------------------------


class ExpectedDeliveryFilterSet(WagtailFilterSet):
    overdue = CheckboxFilter(label=_("Overdue only"), method="filter_overdue")

    class Meta:
        model = ExpectedDelivery
        fields = ["status"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_condition()) if value else queryset


class ExpectedDeliveryIndexView(DisplayIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("pledge__supporter", "delivery")
        return expected_deliveries_mark_overdue(queryset)


class ExpectedDeliveryViewSet(ModelViewSet):
    model = ExpectedDelivery
    icon = "date"
    menu_label = _("Deliveries due")
    menu_order = 130
    index_view_class = ExpectedDeliveryIndexView
    filterset_class = ExpectedDeliveryFilterSet
    exclude_form_fields: list[str] = []
    copy_view_enabled = False
    ordering = ["due_on", "pk"]

    @property
    def list_display(self):
        return [
            DisplayTitleColumn(
                "due_on",
                label=_("Due on"),
                accessor="due_on",
                get_url=lambda obj: reverse("pledge:inspect", args=(quote(obj.pledge_id),)),
            ),
            DisplayColumn("supporter", label=_("Supporter"), accessor="pledge.supporter"),
            DisplayColumn("status", label=_("Status"), accessor="get_status_display"),
            DisplayColumn("overdue", label=_("Overdue"), accessor="overdue"),
            LocalDateColumn("delivery", label=_("Delivery"), accessor="delivery.received_on"),
        ]

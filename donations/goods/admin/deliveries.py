"""Staff screens for deliveries received and deliveries due (overdue ones by the one rule in
selectors.overdue_condition)."""

from django.contrib.admin.utils import quote
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from ouendan.core.filters import CheckboxFilter

from ..models import Delivery, DeliveryLine, ExpectedDelivery
from ..selectors import expected_deliveries_mark_overdue, overdue_condition
from .policies import lines_summary

# --- Deliveries ----------------------------------------------------------------------------------


class DeliveryIndexView(generic.IndexView):
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
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["note"]
    list_filter = ["condition", "over_pledged", "received_on"]
    search_fields = ["pledge__supporter__organisation_name", "lines__description", "received_by"]
    search_backend_name = None

    @property
    def list_display(self):
        return [
            TitleColumn(
                "received_on",
                label=_("Received on"),
                accessor="received_on",
                get_url=lambda obj: reverse("pledge:inspect", args=(quote(obj.pledge_id),)),
            ),
            Column("supporter", label=_("Supporter"), accessor="pledge.supporter"),
            Column("goods", label=_("Goods"), accessor=lambda d: lines_summary(d.lines.all())),
            Column("condition", label=_("Condition"), accessor="get_condition_display"),
            BooleanColumn("over_pledged", label=_("More than pledged")),
            Column("received_by", label=_("Received by"), accessor="received_by"),
        ]


# --- Deliveries due and overdue ------------------------------------------------------------------


class ExpectedDeliveryFilterSet(WagtailFilterSet):
    overdue = CheckboxFilter(label=_("Overdue only"), method="filter_overdue")

    class Meta:
        model = ExpectedDelivery
        fields = ["status"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_condition()) if value else queryset


class ExpectedDeliveryIndexView(generic.IndexView):
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
            TitleColumn(
                "due_on",
                label=_("Due on"),
                accessor="due_on",
                get_url=lambda obj: reverse("pledge:inspect", args=(quote(obj.pledge_id),)),
            ),
            Column("supporter", label=_("Supporter"), accessor="pledge.supporter"),
            Column("status", label=_("Status"), accessor="get_status_display"),
            BooleanColumn("overdue", label=_("Overdue"), accessor="overdue"),
            Column("delivery", label=_("Delivery"), accessor="delivery"),
        ]

"""Staff screens for pledges: the list with its filters, a pledge with its lines, deliveries,
expected deliveries and thank-yous, the edit form and the 感謝状 download. The workflow
actions are in pledge_actions.py; every change goes through the services."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from members.models import Supporter
from ouendan.core import display
from ouendan.core.admin_display import (
    DisplayColumn,
    DisplayIndexMixin,
    DisplayInspectMixin,
    DisplayTitleColumn,
    LocalDateTimeColumn,
    NumberColumn,
)
from ouendan.core.filters import CheckboxFilter

from .. import services
from ..certificates import certificate_filename, certificate_pdf, fiscal_year_period
from ..forms import DATE_WIDGET
from ..models import Delivery, Pledge, PledgeLine
from ..rules import PLEDGE_TRANSITIONS, ZERO, pledge_delivery_count, quantity_display
from ..selectors import (
    expected_deliveries_mark_overdue,
    percent,
    pledge_fulfilment,
    pledges_fulfilment,
    pledges_with_overdue,
    received_by_pledge_line,
)
from ..vocabulary import GoodsCategory
from .pledge_actions import ACTION_BUTTONS, DeliveryRecordView, PledgeActionView
from .policies import lines_summary


class PledgeFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=Pledge.State.choices)
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=GoodsCategory.choices, method="filter_category"
    )
    recurrence = django_filters.ChoiceFilter(
        label=_("How often"), choices=Pledge.Recurrence.choices
    )
    overdue = CheckboxFilter(label=_("With overdue deliveries"), method="filter_overdue")
    over_pledged = CheckboxFilter(
        label=_("Received more than pledged"), method="filter_over_pledged"
    )

    class Meta:
        model = Pledge
        fields = ["state", "recurrence", "delivery_method"]

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(PledgeLine.objects.filter(pledge=OuterRef("pk"), category=value))
        )

    def filter_overdue(self, queryset, name, value):
        return pledges_with_overdue(queryset) if value else queryset

    def filter_over_pledged(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(Delivery.objects.filter(pledge=OuterRef("pk"), over_pledged=True))
        )


class PledgeIndexView(DisplayIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("supporter")
            .prefetch_related(Prefetch("lines", queryset=PledgeLine.objects.order_by("sort_order")))
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, paginated = super().paginate_queryset(queryset, page_size)
        object_list = list(object_list)
        percent = pledges_fulfilment(pledge_ids=[pledge.pk for pledge in object_list])
        for pledge in object_list:
            pledge.fulfilment = percent.get(pledge.pk, ZERO)
        return paginator, page, object_list, paginated

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("goods.view_pledge"):
            buttons.append(
                HeaderButton(
                    _("Export pledges"),
                    url=reverse("inkind_transfer:export", args=("pledges",)) + "?format=xlsx",
                    icon_name="download",
                )
            )
        if self.request.user.has_perm("goods.add_pledge"):
            buttons.append(
                HeaderButton(_("Import"), url=reverse("inkind_transfer:import"), icon_name="upload")
            )
        return buttons


def contact_as_submitted_display(text: str) -> str:
    """The pledge form's contact record for staff: its "supporters_wall=yes" line (a flag the
    form writes, goods/forms.py) as a sentence."""
    lines = []
    for line in (text or "").splitlines():
        name, sep, value = line.partition("=")
        if sep and name == "supporters_wall":
            label = _("May appear on the corporate supporters wall")
            line = f"{label}: {display.yes_no(value == 'yes')}"
        lines.append(line)
    return "\n".join(lines)


class PledgeInspectView(DisplayInspectMixin, generic.InspectView):
    template_name = "goods/admin/pledge_inspect.html"
    fields = [
        "supporter",
        "state",
        "recurrence",
        "first_delivery_on",
        "recurrence_until",
        "delivery_method",
        "pickup_address",
        "pickup_window",
        "message",
        "campaign",
        "reason",
        "source",
        "contact_as_submitted",
        "staff_note",
        "created_at",
        "accepted_at",
        "state_changed_at",
        "state_changed_by",
    ]

    def get_contact_as_submitted_display_value(self):
        return contact_as_submitted_display(self.object.contact_as_submitted)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = self.object
        lines = list(pledge.lines.select_related("wishlist_item"))
        received = received_by_pledge_line(pledge_ids=[pledge.pk])
        count = pledge_delivery_count(pledge)
        context["lines"] = [
            {
                "line": line,
                "pledged": quantity_display(line.quantity * count),
                "received": quantity_display(received.get(line.pk, ZERO)),
                "percent": percent(received.get(line.pk, ZERO), line.quantity * count),
            }
            for line in lines
        ]
        context["delivery_count"] = count
        context["fulfilment"] = pledge_fulfilment(pledge=pledge)
        context["deliveries"] = pledge.deliveries.prefetch_related("lines").order_by(
            "-received_on", "-pk"
        )
        context["expected"] = expected_deliveries_mark_overdue(
            pledge.expected_deliveries.select_related("pledge").order_by("due_on")
        )
        user = self.request.user
        can_change = user.has_perm("goods.change_pledge")
        context["actions"] = [
            (action, label)
            for action, label in ACTION_BUTTONS
            if can_change and pledge.state in PLEDGE_TRANSITIONS[action]
        ]
        context["action_url_name"] = "pledge:action"
        context["can_deliver"] = user.has_perm("goods.add_delivery") and (
            pledge.state in PLEDGE_TRANSITIONS["deliver"]
        )
        context["deliver_url"] = reverse("pledge:deliver", args=(pledge.pk,))
        fy = fiscal_year_period(today=timezone.localdate())
        context["certificate_years"] = [
            (year, reverse("pledge:certificate", args=(pledge.supporter_id,)) + f"?year={year}")
            for year in (fy.year, fy.year - 1)
        ]
        # This pledge's own thank-yous: acceptance, and each delivery (campaigns/thanks.py keys).
        keys = [f"inkind:accepted:{pledge.pk}"] + [
            f"thanks:inkind_delivery:delivery:{pk}"
            for pk in pledge.deliveries.values_list("pk", flat=True)
        ]
        context["thanks"] = pledge.supporter.emails.filter(key__in=keys).order_by("-created_at")
        return context


def certificate_download(request, supporter_pk: int):
    """The 感謝状 PDF of one company for one fiscal year (April–March)."""
    if not request.user.has_perm("goods.view_pledge"):
        raise PermissionDenied
    supporter = get_object_or_404(Supporter, pk=supporter_pk)
    this_year = fiscal_year_period(today=timezone.localdate()).year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year + 1:  # a typed URL with a far-off year: the current one
        year = this_year
    period = fiscal_year_period(year=year)
    pdf = certificate_pdf(supporter=supporter, start=period.start, end=period.end, title_year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificate_filename(supporter=supporter, year=year)}"'
    )
    return response


class PledgeEditForm(forms.ModelForm):
    """Saved by services.pledge_update (schedule checks, expected deliveries listed again)."""

    class Meta:
        model = Pledge
        fields = [
            "recurrence",
            "recurrence_until",
            "delivery_method",
            "pickup_address",
            "pickup_window",
            "campaign",
            "message",
            "staff_note",
        ]
        widgets = {"recurrence_until": DATE_WIDGET}


class PledgeEditView(generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.pledge_update(
            pledge=self.object,
            recurrence=data["recurrence"],
            recurrence_until=data["recurrence_until"],
            delivery_method=data["delivery_method"],
            pickup_address=data["pickup_address"],
            pickup_window=data["pickup_window"],
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            message=data["message"],
            staff_note=data["staff_note"],
            by=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            # The service's rules, shown by their fields like the form's own checks.
            for name, problems in exc.update_error_dict({}).items():
                form.add_error(name if name in form.fields else None, problems)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class PledgeViewSet(ModelViewSet):
    model = Pledge
    icon = "clipboard-list"
    menu_label = _("Pledges")
    menu_order = 110
    index_view_class = PledgeIndexView
    inspect_view_class = PledgeInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = PledgeFilterSet
    form_fields = PledgeEditForm.Meta.fields
    edit_view_class = PledgeEditView
    list_per_page = 50
    search_fields = [
        "supporter__organisation_name",
        "supporter__organisation_name_kana",
        "supporter__family_name",
        "supporter__email",
        "lines__description",
        "message",
    ]
    search_backend_name = None

    @property
    def list_display(self):
        return [
            DisplayTitleColumn(
                "supporter",
                label=_("Supporter"),
                accessor="supporter",
                get_url=lambda obj: reverse("pledge:inspect", args=(quote(obj.pk),)),
            ),
            DisplayColumn("state", label=_("State"), accessor="get_state_display"),
            DisplayColumn(
                "goods", label=_("Goods"), accessor=lambda p: lines_summary(p.lines.all())
            ),
            DisplayColumn("recurrence", label=_("How often"), accessor="get_recurrence_display"),
            NumberColumn("fulfilment", label=_("fulfilment %"), accessor="fulfilment"),
            LocalDateTimeColumn(
                "created_at", label=_("Offered"), accessor="created_at", sort_key="created_at"
            ),
        ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "action/<int:pk>/<str:action>/",
                PledgeActionView.as_view(),
                name="action",
            ),
            path("deliver/<int:pk>/", DeliveryRecordView.as_view(), name="deliver"),
            path("certificate/<int:supporter_pk>/", certificate_download, name="certificate"),
        ]

    def get_form_class(self, for_update=False):
        return PledgeEditForm

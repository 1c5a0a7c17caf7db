"""Staff screens for goods (menu "Goods / 物品寄付"): wishlist, pledges with their workflow,
deliveries, deliveries due and overdue, the corporate supporters wall, 感謝状 PDFs and
import/export. Every change goes through donations/inkind.py."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from home.admin_views import ViewOnlyPermissionPolicy
from home.filters import CheckboxFilter
from members.models import Supporter

from . import inkind
from .certificates import certificate_filename, certificate_pdf, fiscal_year_period
from .inkind_forms import (
    DeliveryForm,
    DeliveryLineFormSet,
    ReasonForm,
    ScheduleForm,
    delivery_form_errors,
    delivery_forms_lines,
)
from .models import (
    PLEDGE_OPEN_STATES,
    CorporateWallEntry,
    Delivery,
    DeliveryLine,
    ExpectedDelivery,
    GoodsCategory,
    Pledge,
    PledgeLine,
    WishlistItem,
)


class NoDeletePermissionPolicy(ModelPermissionPolicy):
    """Pledges and deliveries are history: corrected, declined or cancelled, never deleted.
    Pledges are added by the public form or an import, deliveries from their pledge."""

    def user_has_permission(self, user, action):
        if action in ("delete", "add"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Pledge, NoDeletePermissionPolicy(Pledge))
register_permission_policy(Delivery, NoDeletePermissionPolicy(Delivery))
register_permission_policy(ExpectedDelivery, ViewOnlyPermissionPolicy(ExpectedDelivery))


def _lines_summary(lines) -> str:
    return "、".join(
        f"{line.description} {inkind.quantity_display(line.quantity)} {line.get_unit_display()}"
        for line in lines
    )


# --- Wishlist ------------------------------------------------------------------------------------


class WishlistIndexView(generic.IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, paginated = super().paginate_queryset(queryset, page_size)
        object_list = list(object_list)
        ids = [item.pk for item in object_list]
        received = inkind.wishlist_received(item_ids=ids)
        percent = inkind.wishlist_fulfilment(item_ids=ids)
        for item in object_list:
            item.received = received.get(item.pk)
            item.fulfilment = percent.get(item.pk)
        return paginator, page, object_list, paginated


class WishlistItemViewSet(ModelViewSet):
    model = WishlistItem
    icon = "list-ul"
    menu_label = _("Wishlist")
    menu_order = 100
    index_view_class = WishlistIndexView
    copy_view_enabled = False
    sort_order_field = "sort_order"
    list_display = [
        "name",
        "category",
        Column(
            "quantity_needed", label=_("needed"), accessor=lambda i: _amount(i.quantity_needed, i)
        ),
        Column("received", label=_("quantity received"), accessor=lambda i: _amount(i.received, i)),
        Column("fulfilment", label=_("fulfilment %"), accessor="fulfilment"),
        "needed_by",
        "storage",
        BooleanColumn("active", label=_("on the form")),
    ]
    list_filter = ["category", "active", "storage"]
    search_fields = ["name", "notes"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("quantity_needed"), FieldPanel("needed_by")]),
        FieldRowPanel([FieldPanel("storage"), FieldPanel("min_best_before_days")]),
        FieldPanel("notes"),
        FieldPanel("active"),
    ]


def _amount(quantity, item) -> str:
    if quantity is None:
        return "-"
    return f"{inkind.quantity_display(quantity)} {item.get_unit_display()}"


# --- Pledges -------------------------------------------------------------------------------------


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
        if not value:
            return queryset
        overdue = ExpectedDelivery.objects.filter(
            pledge=OuterRef("pk"),
            status=ExpectedDelivery.Status.OPEN,
            due_on__lt=timezone.localdate(),
        )
        return queryset.filter(Exists(overdue), state__in=PLEDGE_OPEN_STATES)

    def filter_over_pledged(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(Delivery.objects.filter(pledge=OuterRef("pk"), over_pledged=True))
        )


class PledgeIndexView(generic.IndexView):
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
        percent = inkind.pledges_fulfilment(pledge_ids=[pledge.pk for pledge in object_list])
        for pledge in object_list:
            pledge.fulfilment = percent.get(pledge.pk, inkind.ZERO)
        return paginator, page, object_list, paginated

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("donations.view_pledge"):
            buttons.append(
                HeaderButton(
                    _("Export pledges"),
                    url=reverse("inkind_transfer:export", args=("pledges",)) + "?format=xlsx",
                    icon_name="download",
                )
            )
        if self.request.user.has_perm("donations.add_pledge"):
            buttons.append(
                HeaderButton(_("Import"), url=reverse("inkind_transfer:import"), icon_name="upload")
            )
        return buttons


class PledgeInspectView(generic.InspectView):
    template_name = "donations/inkind/admin/pledge_inspect.html"
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = self.object
        lines = list(pledge.lines.select_related("wishlist_item"))
        received = inkind._received_by_pledge_line(pledge_ids=[pledge.pk])
        count = inkind.pledge_delivery_count(pledge)
        context["lines"] = [
            {
                "line": line,
                "pledged": inkind.quantity_display(line.quantity * count),
                "received": inkind.quantity_display(received.get(line.pk, inkind.ZERO)),
                "percent": inkind._percent(
                    received.get(line.pk, inkind.ZERO), line.quantity * count
                ),
            }
            for line in lines
        ]
        context["delivery_count"] = count
        context["fulfilment"] = inkind.pledge_fulfilment(pledge=pledge)
        context["deliveries"] = pledge.deliveries.prefetch_related("lines").order_by(
            "-received_on", "-pk"
        )
        context["expected"] = pledge.expected_deliveries.order_by("due_on")
        context["today"] = timezone.localdate()
        user = self.request.user
        can_change = user.has_perm("donations.change_pledge")
        context["actions"] = [
            (action, label)
            for action, label in ACTION_BUTTONS
            if can_change and pledge.state in inkind.PLEDGE_TRANSITIONS[action]
        ]
        context["action_url_name"] = "pledge:action"
        context["can_deliver"] = user.has_perm("donations.add_delivery") and (
            pledge.state in inkind.PLEDGE_TRANSITIONS["deliver"]
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


ACTION_BUTTONS = [
    ("accept", _("Accept")),
    ("schedule", _("Schedule")),
    ("decline", _("Decline")),
    ("cancel", _("Cancel pledge")),
]


class PledgeActionView(WagtailAdminTemplateMixin, TemplateView):
    """Accept, schedule, decline or cancel one pledge (with a reason where needed)."""

    template_name = "donations/inkind/admin/pledge_action.html"
    header_icon = "clipboard-list"
    FORMS = {"schedule": ScheduleForm, "decline": ReasonForm, "cancel": ReasonForm}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("donations.change_pledge"):
            raise PermissionDenied
        self.action = kwargs["action"]
        if self.action not in inkind.PLEDGE_TRANSITIONS or self.action == "deliver":
            raise Http404
        self.pledge = get_object_or_404(Pledge.objects.select_related("supporter"), pk=kwargs["pk"])
        form_class = self.FORMS.get(self.action)
        initial = {"first_delivery_on": self.pledge.first_delivery_on}
        self.form = form_class(request.POST or None, initial=initial) if form_class else None
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return dict(ACTION_BUTTONS)[self.action]

    def get_page_subtitle(self):
        return str(self.pledge)

    def post(self, request, *args, **kwargs):
        if self.form is not None and not self.form.is_valid():
            return self.get(request, *args, **kwargs)
        data = self.form.cleaned_data if self.form is not None else {}
        try:
            if self.action == "accept":
                inkind.pledge_accept(pledge=self.pledge, by=request.user)
                messages.success(request, gettext("Pledge accepted; a thank-you e-mail is sent."))
            elif self.action == "schedule":
                inkind.pledge_schedule(
                    pledge=self.pledge, first_delivery_on=data["first_delivery_on"], by=request.user
                )
                messages.success(request, gettext("Pledge scheduled."))
            elif self.action == "decline":
                inkind.pledge_decline(pledge=self.pledge, reason=data["reason"], by=request.user)
                messages.success(request, gettext("Pledge declined."))
            else:
                inkind.pledge_cancel(pledge=self.pledge, reason=data["reason"], by=request.user)
                messages.success(request, gettext("Pledge cancelled."))
        except ValidationError as exc:
            if self.form is not None and hasattr(exc, "error_dict"):
                for name, problems in exc.error_dict.items():
                    for problem in problems:
                        self.form.add_error(name if name in self.form.fields else None, problem)
                return self.get(request, *args, **kwargs)
            for message in exc.messages:
                messages.error(request, message)
        return redirect("pledge:inspect", quote(self.pledge.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pledge=self.pledge,
            form=self.form,
            action=self.action,
            inspect_url=reverse("pledge:inspect", args=(quote(self.pledge.pk),)),
        )
        return context


class DeliveryRecordView(WagtailAdminTemplateMixin, TemplateView):
    """Record goods received for a pledge: quantity per pledged line, date, condition, who."""

    template_name = "donations/inkind/admin/delivery_record.html"
    header_icon = "download"
    page_title = _("Record a delivery")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("donations.add_delivery"):
            raise PermissionDenied
        self.pledge = get_object_or_404(Pledge.objects.select_related("supporter"), pk=kwargs["pk"])
        self.pledge_lines = list(self.pledge.lines.order_by("sort_order", "pk"))
        self.form = DeliveryForm(
            request.POST or None,
            initial={
                "received_on": timezone.localdate(),
                "received_by": request.user.get_full_name() or request.user.get_username(),
            },
        )
        self.formset = DeliveryLineFormSet(
            request.POST or None,
            prefix="received",
            initial=[
                {
                    "pledge_line": line.pk,
                    "quantity": inkind.quantity_display(line.quantity).replace(",", ""),
                    "best_before": line.best_before,
                }
                for line in self.pledge_lines
            ],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.pledge)

    def post(self, request, *args, **kwargs):
        if not (self.form.is_valid() and self.formset.is_valid()):
            return self.get(request, *args, **kwargs)
        lines = delivery_forms_lines(
            pledge=self.pledge, formset=self.formset, pledge_lines=self.pledge_lines
        )
        if delivery_form_errors(
            pledge=self.pledge, form=self.form, formset=self.formset, lines=lines
        ):
            return self.get(request, *args, **kwargs)
        data = self.form.cleaned_data
        try:
            result = inkind.delivery_record(
                pledge=self.pledge,
                received_on=data["received_on"],
                received_by=data["received_by"],
                condition=data["condition"],
                note=data["note"],
                lines=lines,
                recorded_by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.form.add_error(None, message)
            return self.get(request, *args, **kwargs)
        messages.success(request, gettext("Delivery recorded; a thank-you e-mail is sent."))
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect("pledge:inspect", quote(self.pledge.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_pk = {line.pk: line for line in self.pledge_lines}
        context.update(
            pledge=self.pledge,
            form=self.form,
            formset=self.formset,
            rows=[
                (
                    form,
                    by_pk.get(form.initial.get("pledge_line") or _int(form["pledge_line"].value())),
                )
                for form in self.formset.forms
            ],
            inspect_url=reverse("pledge:inspect", args=(quote(self.pledge.pk),)),
        )
        return context


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def certificate_download(request, supporter_pk: int):
    """The 感謝状 PDF of one company for one fiscal year (April–March)."""
    if not request.user.has_perm("donations.view_pledge"):
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
    class Meta:
        model = Pledge
        fields = [
            "delivery_method",
            "pickup_address",
            "pickup_window",
            "campaign",
            "message",
            "staff_note",
        ]


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
            TitleColumn(
                "supporter",
                label=_("Supporter"),
                accessor="supporter",
                get_url=lambda obj: reverse("pledge:inspect", args=(quote(obj.pk),)),
            ),
            Column("state", label=_("State"), accessor="get_state_display"),
            Column("goods", label=_("Goods"), accessor=lambda p: _lines_summary(p.lines.all())),
            Column("recurrence", label=_("How often"), accessor="get_recurrence_display"),
            Column("fulfilment", label=_("fulfilment %"), accessor="fulfilment"),
            Column("created_at", label=_("Offered"), accessor="created_at"),
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
        if self.request.user.has_perm("donations.view_delivery"):
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
            Column("goods", label=_("Goods"), accessor=lambda d: _lines_summary(d.lines.all())),
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
        if not value:
            return queryset
        return queryset.filter(
            status=ExpectedDelivery.Status.OPEN,
            due_on__lt=timezone.localdate(),
            pledge__state__in=PLEDGE_OPEN_STATES,
        )


class ExpectedDeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("pledge__supporter", "delivery")


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
            BooleanColumn("is_overdue", label=_("Overdue"), accessor="is_overdue"),
            Column("delivery", label=_("Delivery"), accessor="delivery"),
        ]


# --- Corporate supporters wall -------------------------------------------------------------------


class WallIndexView(generic.IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, paginated = super().paginate_queryset(queryset, page_size)
        object_list = list(object_list)
        shown = {entry.pk for entry in inkind.corporate_wall_entries()}
        for entry in object_list:
            entry.shown = entry.pk in shown
        return paginator, page, object_list, paginated

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter", "logo")


class CorporateWallEntryViewSet(ModelViewSet):
    model = CorporateWallEntry
    icon = "group"
    menu_label = _("Corporate supporters wall")
    menu_order = 140
    index_view_class = WallIndexView
    copy_view_enabled = False
    sort_order_field = "sort_order"
    list_display = [
        "name",
        "link",
        BooleanColumn("shown", label=_("Shown (company consents)"), accessor="shown"),
    ]
    search_fields = ["display_name", "supporter__organisation_name"]
    search_backend_name = None


class GoodsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Goods")
    menu_icon = "clipboard-list"
    menu_order = 320
    items = (
        WishlistItemViewSet("wishlist_item"),
        PledgeViewSet("pledge"),
        DeliveryViewSet("delivery"),
        ExpectedDeliveryViewSet("expected_delivery"),
        CorporateWallEntryViewSet("corporate_wall_entry"),
    )

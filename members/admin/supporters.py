"""The supporter screens: a fast list (ORM search, filters, export) for 100,000 rows, the detail
page with the supporter's timeline, and the edit form (members/admin/forms.py).

Nobody deletes a supporter: only anonymisation (members/privacy.py) removes a person."""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ouendan.core.admin_pagination import IdsFirstPaginator
from ouendan.core.exports import spreadsheet_safe
from ouendan.core.filters import CheckboxFilter

from ..models import (
    Area,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
)
from ..selectors import (
    SEARCH_FIELDS,
    supporters_for_list,
    supporters_search,
)
from .columns import (
    PlainDisplayColumn,
    PlainLocalDateColumn,
    PlainLocalDateTimeColumn,
    PlainNoWrapColumn,
    StampedTitleColumn,
)
from .detail import SupporterInspectView, SupporterLoginLinkView
from .editing import SupporterAdminForm, SupporterCreateView, SupporterEditView
from .merging import SupporterMergeView

RENEWAL_DUE_DAYS = 30


class SupporterFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Supporter.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Supporter.Status.choices)
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"), queryset=MembershipPlan.objects.all(), method="filter_plan"
    )
    membership_status = django_filters.ChoiceFilter(
        label=_("Membership status"),
        choices=Membership.Status.choices,
        method="filter_membership_status",
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.all(), field_name="volunteer_profile__areas"
    )
    skill = django_filters.ModelChoiceFilter(
        label=_("Skill"), queryset=Skill.objects.all(), field_name="volunteer_profile__skills"
    )
    is_volunteer = django_filters.BooleanFilter(
        label=_("Volunteer"), widget=forms.Select(choices=[("", "---------")])
    )
    renewal_due = CheckboxFilter(label=_("Renewal due within 30 days"), method="filter_renewal_due")
    # The staff home's "new supporters this month" links here with this month's days.
    created_at = django_filters.DateFromToRangeFilter(
        label=pgettext_lazy("date", "Created"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Supporter
        fields = ["kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["is_volunteer"].field.widget = forms.Select(
            choices=[("", "---------"), ("true", gettext("Yes")), ("false", gettext("No"))]
        )

    # The newest membership decides plan and status, as in the list's columns.
    def filter_plan(self, queryset, name, value):
        return queryset.filter(membership_plan_id=value.pk) if value else queryset

    def filter_membership_status(self, queryset, name, value):
        return queryset.filter(membership_status=value) if value else queryset

    def filter_renewal_due(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        due = Membership.objects.filter(
            supporter=OuterRef("pk"),
            status=Membership.Status.ACTIVE,
            renews_on__gte=today,
            renews_on__lte=today + datetime.timedelta(days=RENEWAL_DUE_DAYS),
        )
        return queryset.filter(Exists(due))


class SupporterIndexView(generic.IndexView):
    search_backend_name = None
    search_fields = SEARCH_FIELDS
    filterset_class = SupporterFilterSet
    paginator_class = IdsFirstPaginator
    default_ordering = ["family_name_kana", "given_name_kana", "organisation_name_kana", "pk"]
    page_title = _("Supporters")

    # Export: the same filters and search as the screen; every cell is spreadsheet-safe.
    list_export = [
        "id",
        "name",
        "kana",
        "kind",
        "status",
        "email",
        "phone",
        "postal_code",
        "address",
        "volunteer",
        "plan",
        "membership_status",
        "renews_on",
        "created_at",
    ]
    export_headings = {
        "id": "ID",
        "name": pgettext_lazy("supporter", "Name"),
        "kana": _("Kana"),
        "kind": _("Kind"),
        "status": _("Status"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "postal_code": _("Postal code"),
        "address": _("Address"),
        "volunteer": _("Volunteer"),
        "plan": _("Plan"),
        "membership_status": _("Membership status"),
        "renews_on": _("Renewal date"),
        "created_at": pgettext_lazy("date", "Created"),
    }

    def get_base_queryset(self):
        return supporters_for_list()

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return supporters_search(queryset, self.search_query)

    def get_valid_orderings(self):
        orderings = super().get_valid_orderings()
        return orderings + [self.default_ordering]

    def order_queryset(self, queryset):
        if self.ordering == self.default_ordering:
            return queryset.order_by(*self.default_ordering)
        return super().order_queryset(queryset).order_by(self.ordering, "pk")

    def get_filename(self):
        return f"supporters-{timezone.localdate().isoformat()}"

    @cached_property
    def columns(self):
        # Local time, "—" for nothing; phone numbers and dates stay on one line at 1280 px.
        title_column_class = self._get_title_column_class(StampedTitleColumn)
        return [
            title_column_class(
                "name",
                label=pgettext_lazy("supporter", "Name"),
                accessor="display_name",
                get_url=lambda obj: self.get_inspect_url(obj) or self.get_edit_url(obj),
                sort_key="family_name_kana",
            ),
            PlainDisplayColumn("kana", label=_("Kana"), accessor="display_name_kana"),
            PlainNoWrapColumn("kind", label=_("Kind"), accessor="get_kind_display"),
            PlainDisplayColumn("email", label=_("E-mail"), accessor="email", sort_key="email"),
            PlainNoWrapColumn("phone", label=_("Phone"), accessor="phone"),
            PlainNoWrapColumn("status", label=_("Status"), accessor="get_status_display"),
            PlainDisplayColumn("plan", label=_("Plan"), accessor="membership_plan_name"),
            PlainLocalDateColumn(
                "renews_on",
                label=_("Renewal date"),
                accessor=lambda obj: (
                    obj.membership_renews_on
                    if obj.membership_status == Membership.Status.ACTIVE
                    else None
                ),
            ),
            PlainLocalDateTimeColumn(
                "created_at",
                label=pgettext_lazy("date", "Created"),
                accessor="created_at",
                sort_key="created_at",
            ),
        ]

    def to_row_dict(self, item):
        address = " ".join(
            part for part in [item.prefecture, item.city, item.address_line, item.building] if part
        )
        membership_status = (
            Membership.Status(item.membership_status).label if item.membership_status else ""
        )
        return {
            "id": item.pk,
            "name": item.display_name,
            "kana": item.display_name_kana,
            "kind": item.get_kind_display(),
            "status": item.get_status_display(),
            "email": item.email,
            "phone": item.phone,
            "postal_code": item.postal_code,
            "address": address,
            "volunteer": gettext("Yes") if item.is_volunteer else "",
            "plan": item.membership_plan_name or "",
            "membership_status": membership_status,
            "renews_on": item.membership_renews_on,
            "created_at": item.created_at,
        }

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return spreadsheet_safe(value)


class SupporterPermissionPolicy(ModelPermissionPolicy):
    """Nobody deletes a supporter, superusers included: only anonymisation (members/privacy.py)
    removes a person, and it keeps the ledger and receipts for the seven years they must be
    kept. The delete screen answers 403 and no delete button is shown."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return action != "delete" and super().user_has_permission_for_instance(
            user, action, instance
        )

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "delete"]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


register_permission_policy(Supporter, SupporterPermissionPolicy(Supporter))


class SupporterViewSet(ModelViewSet):
    model = Supporter
    icon = "group"
    menu_label = _("Supporters")
    menu_order = 100
    add_to_admin_menu = False
    index_view_class = SupporterIndexView
    inspect_view_class = SupporterInspectView
    add_view_class = SupporterCreateView
    edit_view_class = SupporterEditView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    search_backend_name = None
    search_fields = SEARCH_FIELDS

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            merge_url_name=self.get_url_name("merge"),
            login_link_url_name=self.get_url_name("login_link"),
            **kwargs,
        )

    @property
    def merge_view(self):
        return self.construct_view(
            SupporterMergeView,
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    @property
    def login_link_view(self):
        return self.construct_view(
            SupporterLoginLinkView, inspect_url_name=self.get_url_name("inspect")
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("merge/<int:pk>/", self.merge_view, name="merge"),
            path("login-link/<int:pk>/", self.login_link_view, name="login_link"),
        ]

    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("family_name"), FieldPanel("given_name")]),
                    FieldRowPanel([FieldPanel("family_name_kana"), FieldPanel("given_name_kana")]),
                    FieldPanel("birth_year"),
                ],
                heading=_("Person"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("organisation_name"),
                    FieldPanel("organisation_name_kana"),
                    FieldRowPanel([FieldPanel("department"), FieldPanel("contact_person")]),
                    FieldPanel("invoice_address"),
                ],
                heading=_("Organisation"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                    FieldRowPanel([FieldPanel("postal_code"), FieldPanel("prefecture")]),
                    FieldPanel("city"),
                    FieldPanel("address_line"),
                    FieldPanel("building"),
                ],
                heading=_("Contact details"),
            ),
            FieldRowPanel([FieldPanel("is_volunteer"), FieldPanel("preferred_language")]),
            FieldPanel("notes"),
        ],
        base_form_class=SupporterAdminForm,
    )

"""Staff screens for supporters in the Wagtail admin (menu "Members" / 会員).

Supporters: a fast list (ORM search, filters, export) for 100,000 rows, an edit form that
normalises Japanese contact data, and a detail page with the supporter's timeline. Plus
memberships, plans, the staff-edited lists (areas, skills, interests) and the review of deletion
requests. Who sees what is decided by model permissions (see migration 0003_staff_groups).
"""

import contextlib
import datetime
from dataclasses import dataclass

import django_filters
import jaconv
from django import forms
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ouendan.core.admin_permissions import ListPermissionChooserMixin
from ouendan.core.exports import SafeSpreadsheetExportMixin, spreadsheet_safe
from ouendan.core.filters import CheckboxFilter
from ouendan.core.models import OutgoingEmail

from . import normalise
from .addresses import address_form_clean
from .models import (
    Area,
    DeletionRequest,
    Interest,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
)
from .privacy import deletion_request_reject, supporter_anonymise
from .services import supporter_find_duplicate

RENEWAL_DUE_DAYS = 30

# --- Supporter list ----------------------------------------------------------------------------


def _latest_membership(field: str) -> Subquery:
    """A column of the supporter's newest membership (the one the list shows)."""
    newest = Membership.objects.filter(supporter=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(newest.values(field)[:1])


def supporters_for_list():
    """Supporters with their newest membership's plan, status and renewal date in one query."""
    return Supporter.objects.annotate(
        membership_plan_id=_latest_membership("plan_id"),
        membership_plan_name=_latest_membership("plan__name"),
        membership_status=_latest_membership("status"),
        membership_renews_on=_latest_membership("renews_on"),
    )


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


SEARCH_FIELDS = [
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "organisation_name",
    "organisation_name_kana",
    "email",
    "phone",
]


def _search_variants(term: str) -> set[str]:
    """The term as typed, plus its katakana (kana are stored in katakana) and half-width forms."""
    katakana = jaconv.hira2kata(jaconv.h2z(term, kana=True, ascii=False, digit=False))
    return {term, normalise.to_halfwidth(term), katakana}


def supporters_search(queryset, query: str):
    """Every word of `query` must match a name, kana, e-mail or phone (case-insensitive).

    Plain ORM lookups: Wagtail's database search backend would first fetch every matching id,
    which is slow on 100,000 rows and does not match parts of words such as phone digits.
    """
    for term in query.split():
        term_filter = Q()
        for variant in _search_variants(term):
            for field in SEARCH_FIELDS:
                term_filter |= Q(**{f"{field}__icontains": variant})
        queryset = queryset.filter(term_filter)
    return queryset


class SupporterIndexView(generic.IndexView):
    search_backend_name = None
    search_fields = SEARCH_FIELDS
    filterset_class = SupporterFilterSet
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
        "name": _("Name"),
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
        "created_at": _("Created"),
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
        title_column_class = self._get_title_column_class(TitleColumn)
        return [
            title_column_class(
                "name",
                label=_("Name"),
                accessor="display_name",
                get_url=lambda obj: self.get_inspect_url(obj) or self.get_edit_url(obj),
                sort_key="family_name_kana",
            ),
            Column("kana", label=_("Kana"), accessor="display_name_kana"),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            Column("email", label=_("E-mail"), accessor="email", sort_key="email"),
            Column("phone", label=_("Phone"), accessor="phone"),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("plan", label=_("Plan"), accessor="membership_plan_name"),
            Column(
                "renews_on",
                label=_("Renewal date"),
                accessor=lambda obj: (
                    (
                        obj.membership_renews_on
                        if obj.membership_status == Membership.Status.ACTIVE
                        else None
                    )
                    or ""
                ),
            ),
            Column("created_at", label=_("Created"), accessor="created_at", sort_key="created_at"),
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


# --- Supporter detail and timeline -------------------------------------------------------------


@dataclass
class TimelineEntry:
    when: datetime.datetime
    kind: str
    title: str
    detail: str = ""


def _gift_entries(supporter: Supporter) -> list[TimelineEntry]:
    """Gifts, refunds and monthly gifts from the donations ledger (two queries)."""
    entries = []
    for donation in supporter.donations.all():
        detail = f"{donation.get_method_display()} · ¥{donation.amount_yen:,}"
        if donation.refunded_yen:
            detail += " · " + gettext("refunded ¥%(amount)s") % {
                "amount": f"{donation.refunded_yen:,}"
            }
        title = _("Gift received: %(kind)s") % {"kind": donation.get_kind_display()}
        entries.append(TimelineEntry(donation.paid_at, "donation", title, detail))
    for gift in supporter.recurring_donations.all():
        amount = {"amount": f"{gift.amount_yen:,}"}
        if gift.started_at:
            entries.append(
                TimelineEntry(
                    gift.started_at,
                    "donation",
                    _("Monthly gift started: ¥%(amount)s") % amount,
                    gift.get_status_display(),
                )
            )
        if gift.cancelled_at:
            entries.append(
                TimelineEntry(
                    gift.cancelled_at, "donation", _("Monthly gift cancelled: ¥%(amount)s") % amount
                )
            )
    return entries


def supporter_timeline(
    *, supporter: Supporter, include_emails: bool = True, include_gifts: bool = False
) -> list:
    """Everything that happened to a supporter, newest first.

    Reads the related rows with one query each (no per-entry queries).
    """
    entries: list[TimelineEntry] = []
    sign_up = {
        Supporter.Source.WEB: _("Signed up with the join form"),
        Supporter.Source.IMPORT: _("Imported"),
        Supporter.Source.STAFF: _("Entered by staff"),
    }[supporter.source]
    entries.append(TimelineEntry(supporter.created_at, "created", sign_up))
    if supporter.confirmed_at:
        entries.append(
            TimelineEntry(supporter.confirmed_at, "confirmed", _("E-mail address confirmed"))
        )
    if supporter.anonymised_at:
        entries.append(
            TimelineEntry(supporter.anonymised_at, "anonymised", _("Personal data deleted"))
        )
    for consent in supporter.consents.all():
        title = (
            _("Consent given: %(kind)s") if consent.granted else _("Consent withdrawn: %(kind)s")
        ) % {"kind": consent.get_kind_display()}
        detail = consent.get_source_display()
        if consent.policy_version:
            detail += " · " + gettext("version %(version)s") % {"version": consent.policy_version}
        entries.append(TimelineEntry(consent.recorded_at, "consent", title, detail))
    for membership in supporter.memberships.select_related("plan"):
        plan = {"plan": membership.plan.name}
        entries.append(
            TimelineEntry(
                membership.created_at,
                "membership",
                _("Membership created: %(plan)s") % plan,
                membership.get_status_display(),
            )
        )
        if membership.last_paid_at:
            entries.append(
                TimelineEntry(
                    membership.last_paid_at,
                    "membership",
                    _("Membership paid: %(plan)s") % plan,
                    f"¥{membership.amount_yen:,}",
                )
            )
        if membership.cancelled_at:
            entries.append(
                TimelineEntry(
                    membership.cancelled_at,
                    "membership",
                    _("Membership cancelled: %(plan)s") % plan,
                )
            )
    for request in supporter.deletion_requests.select_related("reviewed_by"):
        entries.append(
            TimelineEntry(request.requested_at, "deletion", _("Deletion requested"), request.reason)
        )
        if request.reviewed_at:
            title = (
                _("Deletion request approved")
                if request.status == DeletionRequest.Status.COMPLETED
                else _("Deletion request rejected")
            )
            reviewer = request.reviewed_by.get_username() if request.reviewed_by else ""
            detail = " · ".join(part for part in [reviewer, request.review_note] if part)
            entries.append(TimelineEntry(request.reviewed_at, "deletion", title, detail))
    if include_gifts:
        entries.extend(_gift_entries(supporter))
    if include_emails:
        emails = OutgoingEmail.objects.filter(supporter=supporter)
        if not include_gifts:  # money mail (even its subject) is for those who see the money
            emails = emails.exclude(category=OutgoingEmail.Category.MONEY)
        for email in emails.order_by("-created_at"):
            entries.append(
                TimelineEntry(
                    email.created_at,
                    "email",
                    _("E-mail: %(subject)s") % {"subject": email.subject},
                    email.get_status_display(),
                )
            )
    # Newest first; events at the same moment keep their natural order reversed (sign-up last).
    order = {id(entry): index for index, entry in enumerate(entries)}
    entries.sort(key=lambda entry: (entry.when, order[id(entry)]), reverse=True)
    return entries


class SupporterInspectView(generic.InspectView):
    template_name = "members/admin/supporter_inspect.html"
    fields = [
        "kind",
        "status",
        "source",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "organisation_name",
        "organisation_name_kana",
        "department",
        "contact_person",
        "email",
        "phone",
        "postal_code",
        "prefecture",
        "city",
        "address_line",
        "building",
        "birth_year",
        "is_volunteer",
        "preferred_language",
        "notes",
    ]

    def get_object(self, queryset=None):
        return get_object_or_404(
            Supporter.objects.select_related("volunteer_profile").prefetch_related(
                Prefetch("volunteer_profile__skills"),
                Prefetch("volunteer_profile__areas"),
                Prefetch("volunteer_profile__interests"),
            ),
            pk=self.pk,
        )

    def get_fields_context(self):
        person = ["family_name", "given_name", "family_name_kana", "given_name_kana", "birth_year"]
        organisation = [
            "organisation_name",
            "organisation_name_kana",
            "department",
            "contact_person",
        ]
        hidden = organisation if self.object.kind == Supporter.Kind.PERSON else person
        return [self.get_context_for_field(name) for name in self.fields if name not in hidden]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        supporter = self.object
        # Money is shown only to staff who may see the ledger (least privilege).
        sees_gifts = self.request.user.has_perm("donations.view_donation")
        context["timeline"] = supporter_timeline(
            supporter=supporter,
            include_emails=self.request.user.has_perm("core.view_outgoingemail"),
            include_gifts=sees_gifts,
        )
        if sees_gifts:
            from donations.services import donor_totals

            context["donor_totals"] = donor_totals(supporter=supporter)
            if supporter.email:
                context["ledger_url"] = f"{reverse('donation:index')}?q={supporter.email}"
        context["volunteer_profile"] = getattr(supporter, "volunteer_profile", None)
        return context


class SupporterAdminForm(WagtailAdminModelForm):
    """Normalises contact data as the join form and imports do (members/normalise.py)."""

    # Normalised before field validation: "〒１２３ー４５６７" is too long for the field as typed.
    _PRE_NORMALISE = {
        "email": normalise.normalise_email,
        "postal_code": normalise.normalise_postal_code,
        "phone": normalise.normalise_phone,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()
            for field, normaliser in self._PRE_NORMALISE.items():
                name = self.add_prefix(field)
                if self.data.get(name):
                    # A value that cannot be normalised is reported by clean_<field>.
                    with contextlib.suppress(ValidationError):
                        self.data[name] = normaliser(self.data[name])

    def clean_email(self):
        email = normalise.normalise_email(self.cleaned_data.get("email", ""))
        if email and supporter_find_duplicate(email=email, exclude_pk=self.instance.pk):
            raise ValidationError(_("Another supporter already has this e-mail address."))
        return email

    def clean_phone(self):
        return normalise.normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_postal_code(self):
        return normalise.normalise_postal_code(self.cleaned_data.get("postal_code", ""))

    def _clean_kana(self, field):
        return normalise.normalise_kana(self.cleaned_data.get(field, ""))

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    def clean_organisation_name_kana(self):
        return self._clean_kana("organisation_name_kana")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Supporter.Kind.PERSON and not cleaned.get("family_name"):
            self.add_error("family_name", _("Enter the family name."))
        if kind == Supporter.Kind.ORGANISATION and not cleaned.get("organisation_name"):
            self.add_error("organisation_name", _("Enter the organisation name."))
        # Staff paste whole addresses too: the same split as the join form and the import.
        address_form_clean(cleaned, self.errors)
        return cleaned


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
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    search_backend_name = None
    search_fields = SEARCH_FIELDS

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


# --- Supporter chooser (for memberships), limited to staff who may see supporters --------------


class _SupporterChooserQueryset:
    def get_object_list(self):
        return Supporter.objects.exclude(status=Supporter.Status.ANONYMISED)

    def search_queryset(self, queryset):  # a plain ORM search, as in the list
        return supporters_search(queryset, self.search_query) if self.is_searching else queryset


class SupporterChooseView(_SupporterChooserQueryset, ChooseView):
    pass


class SupporterChooseResultsView(_SupporterChooserQueryset, ChooseResultsView):
    pass


class SupporterChooserViewSet(ListPermissionChooserMixin, ChooserViewSet):
    """Every view needs the supporter list's permission (ouendan.core.admin_permissions)."""

    model = Supporter
    name = "supporter_chooser"
    icon = "user"
    choose_one_text = _("Choose a supporter")
    choose_another_text = _("Choose another supporter")
    edit_item_text = _("Edit this supporter")
    choose_view_class = SupporterChooseView
    choose_results_view_class = SupporterChooseResultsView
    register_widget = False
    search_backend_name = None


supporter_chooser_viewset = SupporterChooserViewSet()


# --- Memberships and plans ---------------------------------------------------------------------


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


class MembershipPlanViewSet(ModelViewSet):
    model = MembershipPlan
    icon = "list-ul"
    menu_order = 120
    copy_view_enabled = False
    list_display = ["name", "audience", "period", "amount_yen", "per_unit", "is_active"]
    search_backend_name = None
    search_fields = ["name"]


class AreaViewSet(ModelViewSet):
    model = Area
    icon = "site"
    menu_order = 130
    copy_view_enabled = False
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_backend_name = None
    search_fields = ["name"]
    list_per_page = 50


class NameListViewSet(ModelViewSet):
    """A staff-edited list of names with a sort order (skills, interests)."""

    icon = "pick"
    copy_view_enabled = False
    list_display = ["name", "sort_order"]
    search_backend_name = None
    search_fields = ["name"]


class SkillViewSet(NameListViewSet):
    model = Skill
    menu_order = 140


class InterestViewSet(NameListViewSet):
    model = Interest
    menu_order = 150


# --- Deletion requests -------------------------------------------------------------------------


class DeletionRequestFilterSet(WagtailFilterSet):
    class Meta:
        model = DeletionRequest
        fields = ["status"]


class DeletionRequestIndexView(generic.IndexView):
    review_url_name = None

    def get_base_queryset(self):
        return DeletionRequest.objects.select_related("supporter", "reviewed_by")

    def get_edit_url(self, instance):
        if self.user_has_permission("change"):
            return reverse(self.review_url_name, args=(quote(instance.pk),))

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        return [
            title_column_class(
                "supporter",
                label=_("Supporter"),
                accessor="supporter",
                get_url=self.get_edit_url,
            ),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("requested_at", label=_("Requested"), accessor="requested_at"),
            Column("reason", label=_("Reason"), accessor="reason"),
            Column("reviewed_by", label=_("Reviewed by"), accessor="reviewed_by"),
        ]


class DeletionReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the request was rejected. Kept with the request."),
    )


class DeletionRequestReviewView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Approve (anonymise the supporter) or reject one deletion request."""

    model = DeletionRequest
    template_name = "members/admin/deletion_request_review.html"
    permission_required = "change"
    page_title = _("Review deletion request")
    index_url_name = None
    inspect_url_name = None
    header_icon = "bin"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            DeletionRequest.objects.select_related("supporter"), pk=kwargs["pk"]
        )
        self.form = DeletionReviewForm(request.POST or None)

    def post(self, request, *args, **kwargs):
        if self.object.status == DeletionRequest.Status.PENDING and self.form.is_valid():
            return self.review(self.form)
        return self.get(request, *args, **kwargs)

    def review(self, form):
        supporter = self.object.supporter
        if "approve" in self.request.POST:
            supporter_anonymise(
                supporter=supporter, reviewed_by=self.request.user, deletion_request=self.object
            )
            messages.success(self.request, gettext("The supporter's personal data was deleted."))
        else:
            deletion_request_reject(
                deletion_request=self.object,
                reviewed_by=self.request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(self.request, gettext("The deletion request was rejected."))
        return redirect(self.index_url_name)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": DeletionRequest._meta.verbose_name},
            {"url": "", "label": self.get_page_title(), "sublabel": str(self.object.supporter)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["form"] = self.form
        context["supporter"] = self.object.supporter
        context["is_pending"] = self.object.status == DeletionRequest.Status.PENDING
        context["supporter_url"] = reverse(
            self.inspect_url_name, args=(quote(self.object.supporter_id),)
        )
        return context


class DeletionRequestViewSet(ModelViewSet):
    """Only a list and the review screen: requests come from the member portal."""

    model = DeletionRequest
    icon = "bin"
    menu_order = 160
    index_view_class = DeletionRequestIndexView
    filterset_class = DeletionRequestFilterSet
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["supporter__family_name", "supporter__organisation_name", "reason"]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ["add_url_name", "edit_url_name", "delete_url_name", "copy_url_name"]:
            view_kwargs[name] = None
        return view_kwargs

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(review_url_name=self.get_url_name("review"), **kwargs)

    @property
    def url_finder_class(self):
        # There is no edit screen: the edit log (site history) links a request to its review.
        return type(
            "_DeletionRequestURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("review")},
        )

    @property
    def review_view(self):
        return DeletionRequestReviewView.as_view(
            index_url_name=self.get_url_name("index"),
            inspect_url_name="supporter:inspect",
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("review/<int:pk>/", self.review_view, name="review"),
        ]


# --- The "Members" menu ------------------------------------------------------------------------


class MembersViewSetGroup(ModelViewSetGroup):
    menu_label = _("Members")
    menu_icon = "group"
    menu_order = 250
    items = (
        SupporterViewSet("supporter"),
        MembershipViewSet("membership"),
        DeletionRequestViewSet("deletion_request"),
        MembershipPlanViewSet("membership_plan"),
        AreaViewSet("area"),
        SkillViewSet("skill"),
        InterestViewSet("interest"),
    )

"""Memberships: the list, detail, create and edit screens (through members.memberships) and
cancelling one (membership_cancel), with a confirmation screen."""

from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from ouendan.core.admin_display import DisplayIndexMixin, DisplayInspectMixin
from ouendan.core.exports import SafeSpreadsheetExportMixin

from ..memberships import membership_cancel
from ..models import Membership
from .chooser import supporter_chooser_viewset
from .editing import MembershipCreateView, MembershipEditView

CANCEL_LOG_ACTION = "members.membership_cancel"


class MembershipFilterSet(WagtailFilterSet):
    class Meta:
        model = Membership
        fields = ["status", "plan", "auto_renew"]


class MembershipIndexView(DisplayIndexMixin, SafeSpreadsheetExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return Membership.objects.select_related("supporter", "plan")


class CancelButtonMixin:
    """A "Cancel membership" button in the header of the edit and detail screens."""

    cancel_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        can_cancel = self.object.status != Membership.Status.CANCELLED and (
            self.permission_policy.user_has_permission_for_instance(
                self.request.user, "change", self.object
            )
        )
        if can_cancel and self.cancel_url_name:
            url = reverse(self.cancel_url_name, args=(quote(self.object.pk),))
            buttons.append(Button(_("Cancel membership"), url=url, icon_name="cross", priority=30))
        return buttons


class MembershipEditCancelView(CancelButtonMixin, MembershipEditView):
    pass


class MembershipInspectView(CancelButtonMixin, DisplayInspectMixin, generic.InspectView):
    pass


class MembershipCancelView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then cancel one membership (members.memberships.membership_cancel). Needs the
    same permission as the edit screen."""

    model = Membership
    template_name = "members/admin/membership_cancel.html"
    permission_required = "change"
    page_title = _("Cancel membership")
    header_icon = "cross"
    index_url_name = None
    inspect_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            Membership.objects.select_related("supporter", "plan"), pk=kwargs["pk"]
        )

    def post(self, request, *args, **kwargs):
        if self.object.status == Membership.Status.CANCELLED:
            messages.warning(request, gettext("This membership was already cancelled."))
        else:
            membership = membership_cancel(membership=self.object, by=request.user)
            log(instance=membership, action=CANCEL_LOG_ACTION, user=request.user)
            messages.success(
                request, gettext("The membership was cancelled: it will not renew any more.")
            )
        return redirect(self.inspect_url_name, quote(self.object.pk))

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": Membership._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title(), "sublabel": str(self.object)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["is_cancelled"] = self.object.status == Membership.Status.CANCELLED
        context["inspect_url"] = reverse(self.inspect_url_name, args=(quote(self.object.pk),))
        return context


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "tick-inverse"
    menu_order = 110
    index_view_class = MembershipIndexView
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditCancelView
    inspect_view_class = MembershipInspectView
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

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(cancel_url_name=self.get_url_name("cancel"), **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            cancel_url_name=self.get_url_name("cancel"), **kwargs
        )

    @property
    def cancel_view(self):
        return self.construct_view(
            MembershipCancelView,
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("cancel/<int:pk>/", self.cancel_view, name="cancel"),
        ]

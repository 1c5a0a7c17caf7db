"""The supporter's detail page as a summary staff work from: name and kana, status, kind,
current membership, the giving figures (only for staff who see money: members/registry.py) and
the primary actions on top; then the timeline; then every stored field, folded, with labels,
local time, "—" for nothing and はい/いいえ for yes/no. Also "send a login link" (members/mail.py
through members.services), offered on the page."""

from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ouendan.core.display import display_for_field

from ..fields import SUPPORTER_ORGANISATION_FIELDS, SUPPORTER_PERSON_FIELDS
from ..mail import MailPurpose, supporter_mailable
from ..models import Supporter
from ..registry import supporter_detail_context, supporter_detail_sees_money
from ..selectors import (
    member_portal_page_find,
    memberships_of,
    supporter_for_detail,
    supporter_timeline,
)
from ..services import supporter_send_login_link
from ..views.links import link_template
from ..volunteering.selectors import company_hours

# Every stored field, in the order of the folded section.
RAW_FIELDS = (
    "id",
    "kind",
    "status",
    "source",
    *SUPPORTER_PERSON_FIELDS,
    *SUPPORTER_ORGANISATION_FIELDS,
    "email",
    "phone",
    "postal_code",
    "prefecture",
    "city",
    "address_line",
    "building",
    "is_volunteer",
    "preferred_language",
    "notes",
    "created_at",
    "updated_at",
    "confirmed_at",
    "anonymised_at",
    "merged_into",
    "merged_at",
)


def raw_fields(supporter: Supporter) -> list[tuple[str, str]]:
    """(label, shown value) of every stored field that applies to the supporter's kind."""
    hidden = (
        SUPPORTER_ORGANISATION_FIELDS
        if supporter.kind == Supporter.Kind.PERSON
        else SUPPORTER_PERSON_FIELDS
    )
    rows = []
    for name in RAW_FIELDS:
        if name in hidden:
            continue
        field = Supporter._meta.get_field(name)
        label = "ID" if name == "id" else str(field.verbose_name)
        value = getattr(supporter, name)
        rows.append((label[:1].upper() + label[1:], display_for_field(field, value)))
    return rows


class SupporterInspectView(generic.InspectView):
    template_name = "members/admin/supporter_inspect.html"
    merge_url_name = None
    login_link_url_name = None

    def get_object(self, queryset=None):
        return supporter_for_detail(pk=self.pk)

    def get_fields(self):
        return []  # the template shows the summary and the folded raw_fields instead

    def _actions(self) -> list[dict]:
        user, supporter = self.request.user, self.object
        can_change = supporter.status not in (
            Supporter.Status.ANONYMISED,
            Supporter.Status.MERGED,
        ) and self.permission_policy.user_has_permission_for_instance(user, "change", supporter)
        actions = []
        if can_change:
            actions.append({"label": _("Edit"), "url": self.get_edit_url()})
        if self.gift_add_url:
            actions.append({"label": _("Record a gift"), "url": self.gift_add_url})
        if can_change and supporter_mailable(supporter, purpose=MailPurpose.TRANSACTIONAL):
            url = reverse(self.login_link_url_name, args=(quote(supporter.pk),))
            actions.append({"label": _("Send a login link"), "url": url, "post": True})
        if can_change:
            url = reverse(self.merge_url_name, args=(quote(supporter.pk),))
            actions.append({"label": _("Merge into…"), "url": url, "secondary": True})
        return actions

    def get_context_data(self, **kwargs):
        supporter = self.object
        user = self.request.user
        # Money is shown only to staff who may see the ledger (least privilege): the donations
        # app registers its figures with that permission (members/registry.py).
        figures = supporter_detail_context(supporter=supporter, user=user)
        self.gift_add_url = figures.get("gift_add_url")
        context = super().get_context_data(**kwargs)
        context.update(figures)
        context["timeline"] = supporter_timeline(
            supporter=supporter,
            include_emails=user.has_perm("core.view_outgoingemail"),
            include_gifts=supporter_detail_sees_money(user=user),
        )
        context["volunteer_profile"] = getattr(supporter, "volunteer_profile", None)
        if supporter.kind == Supporter.Kind.ORGANISATION and user.has_perm(
            "volunteering.view_hoursentry"
        ):
            # Corporate employee volunteering: approved hours of the employees it sends.
            context["employee_volunteering"] = company_hours(employer=supporter)
        context["membership"] = memberships_of(supporter=supporter).order_by("-created_at").first()
        context["raw_fields"] = raw_fields(supporter)
        context["actions"] = self._actions()
        if supporter.merged_into_id:
            context["merged_into_url"] = self.get_inspect_url(supporter.merged_into)
        return context

    def get_inspect_url(self, instance):
        return reverse(self.inspect_url_name, args=(quote(instance.pk),))


class SupporterLoginLinkView(PermissionCheckedMixin, View):
    """POST: e-mail the supporter a portal login link (the same service as the portal's form),
    when members/mail.py says they may be mailed. Needs the permission to change supporters."""

    model = Supporter
    permission_required = "change"
    inspect_url_name = None
    http_method_names = ["post"]

    def post(self, request, pk):
        supporter = get_object_or_404(Supporter, pk=pk)
        page = member_portal_page_find()
        sent = page is not None and supporter_send_login_link(
            email=supporter.email, login_url=link_template(request, page, "redeem")
        )
        if sent:
            messages.success(request, gettext("A login link was e-mailed to the supporter."))
        else:
            messages.error(
                request,
                gettext("No login link was sent: this supporter cannot be e-mailed now."),
            )
        return redirect(self.inspect_url_name, quote(supporter.pk))

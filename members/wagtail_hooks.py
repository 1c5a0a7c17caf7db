"""Wagtail admin hooks for the members app: the "Members" menu (members/admin/), the member
imports and supporter export (members/import_views.py), and the staff home's members figures."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from ouendan.core.staff_home import MONTH, STAFF_HOME_HOOK, TODO, StaffHomeItem, this_month

from . import import_views, selectors
from .admin import MembersViewSetGroup, supporter_chooser_viewset
from .admin.memberships import CANCEL_LOG_ACTION
from .merge import MERGE_LOG_ACTION


@hooks.register("register_admin_viewset")
def register_members_admin():
    return [MembersViewSetGroup(), supporter_chooser_viewset]


@hooks.register("register_log_actions")
def register_members_log_actions(actions):
    actions.register_action(CANCEL_LOG_ACTION, _("Cancel membership"), _("Membership cancelled"))
    actions.register_action(MERGE_LOG_ACTION, _("Merge records"), _("Records merged"))


@hooks.register("register_admin_urls")
def register_member_import_urls():
    return [path("member-imports/", include((import_views.urlpatterns, "member_imports")))]


class _MemberImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(import_views.IMPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_member_import_menu_item():
    return _MemberImportMenuItem(
        _("Member imports"), reverse("member_imports:list"), icon_name="upload", order=310
    )


@hooks.register(STAFF_HOME_HOOK)
def members_staff_home_items(request):
    """Deletion requests and imports waiting for staff; new supporters this month."""
    user, items = request.user, []
    if user.has_perm("members.change_deletionrequest"):
        items.append(
            StaffHomeItem(
                section=TODO,
                name="deletion_requests",
                label=_("Deletion requests waiting for review"),
                count=selectors.deletion_requests_waiting_count(),
                url=reverse("deletion_request:index") + "?status=pending",
                order=40,
            )
        )
    if user.has_perm(import_views.IMPORT_PERMISSION):
        items.append(
            StaffHomeItem(
                section=TODO,
                name="member_imports",
                label=_("Member imports running or waiting for you"),
                count=selectors.member_imports_attention_count(),
                url=reverse("member_imports:list"),
                order=50,
            )
        )
    if user.has_perm("members.view_supporter"):
        month = this_month()
        items.append(
            StaffHomeItem(
                section=MONTH,
                name="new_supporters",
                label=_("New supporters this month"),
                count=selectors.supporters_new_count(since=month.start),
                url=reverse("supporter:index") + f"?status=active&created_at_from={month.first_day}"
                f"&created_at_to={month.last_day}",
                order=30,
            )
        )
    return items

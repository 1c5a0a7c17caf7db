"""Wagtail admin hooks for the members app: the "Members" menu (members/admin/), and the member
imports and supporter export (members/import_views.py)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import import_views
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

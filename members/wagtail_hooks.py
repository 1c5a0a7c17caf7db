"""Wagtail admin hooks for the members app."""

# --- Member staff screens (members/admin/) ----------------------------------------------
from wagtail import hooks as _member_hooks  # noqa: E402

from .admin import MembersViewSetGroup, supporter_chooser_viewset  # noqa: E402


@_member_hooks.register("register_admin_viewset")
def register_members_admin():
    return [MembersViewSetGroup(), supporter_chooser_viewset]


# --- Member imports and supporter export (members/import_views.py) ------------------------------
from django.urls import include as _import_include  # noqa: E402
from django.urls import path as _import_path  # noqa: E402
from django.urls import reverse as _import_reverse  # noqa: E402
from django.utils.translation import gettext_lazy as _import_label  # noqa: E402
from wagtail import hooks as _import_hooks  # noqa: E402
from wagtail.admin.menu import MenuItem as _ImportMenuItem  # noqa: E402

from . import import_views as _import_views  # noqa: E402


@_import_hooks.register("register_admin_urls")
def register_member_import_urls():
    return [
        _import_path(
            "member-imports/",
            _import_include((_import_views.urlpatterns, "member_imports")),
        )
    ]


class _MemberImportMenuItem(_ImportMenuItem):
    def is_shown(self, request):
        return request.user.has_perm(_import_views.IMPORT_PERMISSION)


@_import_hooks.register("register_admin_menu_item")
def register_member_import_menu_item():
    return _MemberImportMenuItem(
        _import_label("Member imports"),
        _import_reverse("member_imports:list"),
        icon_name="upload",
        order=310,
    )

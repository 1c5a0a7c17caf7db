"""Wagtail admin hooks for volunteering: the viewsets (admin.py), attendance, hours to approve
and reports (admin_views.py), with menu items shown to those who may use them."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .admin import VolunteeringViewSetGroup


@hooks.register("register_admin_viewset")
def register_volunteering_admin():
    return VolunteeringViewSetGroup()


@hooks.register("register_admin_urls")
def register_volunteering_urls():
    return [
        path(
            "volunteering/attendance/",
            include((admin_views.attendance_urls, "volunteering_attendance")),
        ),
        path("volunteering/hours/", include((admin_views.hours_urls, "volunteering_hours"))),
        path("volunteering/reports/", include((admin_views.reports_urls, "volunteering_reports"))),
        path("volunteering/import/", include((admin_views.import_urls, "volunteer_import"))),
    ]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_attendance_menu_item():
    return _PermissionMenuItem(
        _("Attendance today"),
        reverse("volunteering_attendance:today"),
        icon_name="tick-inverse",
        order=255,
        permission="volunteering.change_signup",
    )


@hooks.register("register_admin_menu_item")
def register_hours_menu_item():
    return _PermissionMenuItem(
        _("Hours to approve"),
        reverse("volunteering_hours:pending"),
        icon_name="time",
        order=256,
        permission="volunteering.change_hoursentry",
    )


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return _PermissionMenuItem(
        _("Volunteering reports"),
        reverse("volunteering_reports:index"),
        icon_name="table",
        order=257,
        permission="volunteering.view_shift",
    )


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return _PermissionMenuItem(
        _("Import volunteer lists"),
        reverse("volunteer_import:index"),
        icon_name="upload",
        order=311,
        permission="volunteering.add_volunteertraining",
    )

"""Wagtail admin hooks for places: the places screens and the postal-code look-up."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin, import_views


@hooks.register("register_admin_viewset")
def register_places_viewset():
    return admin.place_viewset


@hooks.register("register_admin_urls")
def register_places_postal_code_url():
    return [
        path("places-postal-code/", include((admin.urlpatterns, "places_postal_code"))),
        path("places-transfer/", include((import_views.urlpatterns, "places_transfer"))),
    ]


class _PlacesImportMenuItem(MenuItem):
    def is_shown(self, request):
        return all(request.user.has_perm(p) for p in import_views.IMPORT_PERMISSIONS)


@hooks.register("register_admin_menu_item")
def register_places_import_menu_item():
    return _PlacesImportMenuItem(
        _("Import places"), reverse("places_transfer:import"), icon_name="upload", order=315
    )

"""Wagtail admin hooks for places: the places screens and the postal-code look-up."""

from django.urls import include, path
from wagtail import hooks

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

from django.urls import include, path
from wagtail import hooks

from . import admin_views
from .viewsets import receipt_viewset


@hooks.register("register_admin_viewset")
def register_receipt_viewset():
    return receipt_viewset


@hooks.register("register_admin_urls")
def register_receipt_tool_urls():
    return [path("receipt-tools/", include((admin_views.urlpatterns, "receipt_tools")))]

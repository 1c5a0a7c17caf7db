from wagtail import hooks

from .admin_views import MoneyViewSetGroup, donor_chooser_viewset


@hooks.register("register_admin_viewset")
def register_money_viewsets():
    return [MoneyViewSetGroup(), donor_chooser_viewset]


# --- Receipts and annual certificates (donations/receipt_admin.py) ----------------------------
from django.urls import include as _receipt_include  # noqa: E402
from django.urls import path as _receipt_path  # noqa: E402

from . import receipt_admin as _receipt_admin  # noqa: E402


@hooks.register("register_admin_viewset")
def register_receipt_viewset():
    return _receipt_admin.receipt_viewset


@hooks.register("register_admin_urls")
def register_receipt_tool_urls():
    return [
        _receipt_path(
            "receipt-tools/", _receipt_include((_receipt_admin.urlpatterns, "receipt_tools"))
        )
    ]


# --- Funding dashboard and grant income (donations/dashboard_views.py), Finance only ---------
from .dashboard_views import FundingViewSetGroup as _FundingViewSetGroup  # noqa: E402


@hooks.register("register_admin_viewset")
def register_funding_viewsets():
    return _FundingViewSetGroup()

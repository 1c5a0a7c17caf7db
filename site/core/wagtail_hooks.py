from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from .admin_views import outgoing_email_viewset
from .exports import wagtail_exports_make_safe
from .suppression_admin import suppressed_address_viewset

# Every spreadsheet Wagtail exports (reports such as site history, list exports) is formula-safe.
wagtail_exports_make_safe()


@hooks.register("register_admin_viewset")
def register_outgoing_email_viewset():
    return outgoing_email_viewset


@hooks.register("register_admin_viewset")
def register_suppressed_address_viewset():
    return suppressed_address_viewset


@hooks.register("insert_global_admin_css")
def display_css():
    """Right-aligned figures and one-line values on every staff list (admin_display.py)."""
    return format_html('<link rel="stylesheet" href="{}">', static("core/display.css"))

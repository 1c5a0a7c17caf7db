from wagtail import hooks

from .admin_views import outgoing_email_viewset
from .exports import wagtail_exports_make_safe

# Every spreadsheet Wagtail exports (reports such as site history, list exports) is formula-safe.
wagtail_exports_make_safe()


@hooks.register("register_admin_viewset")
def register_outgoing_email_viewset():
    return outgoing_email_viewset

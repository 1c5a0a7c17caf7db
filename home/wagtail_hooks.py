from wagtail import hooks

from .admin_views import outgoing_email_viewset
from .exports import wagtail_exports_make_safe

# Every spreadsheet Wagtail exports (reports such as site history, list exports) is formula-safe.
wagtail_exports_make_safe()


@hooks.register("register_admin_viewset")
def register_outgoing_email_viewset():
    return outgoing_email_viewset


# --- Impact figures staff enter (home/impact.py computes the rest) ----------------------------
from .admin_views import staff_impact_figure_viewset as _staff_impact_figure_viewset  # noqa: E402


@hooks.register("register_admin_viewset")
def register_staff_impact_figure_viewset():
    return _staff_impact_figure_viewset

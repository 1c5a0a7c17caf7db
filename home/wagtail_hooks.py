from wagtail import hooks

from .admin_views import staff_impact_figure_viewset


# Impact figures staff enter (home/impact.py computes the rest).
@hooks.register("register_admin_viewset")
def register_staff_impact_figure_viewset():
    return staff_impact_figure_viewset

"""The home app composes the admin: the staff home (panels of what needs action, from every
app's `register_staff_home_items` hook), the menu grouped by task (admin_menu.py), and the
impact figures staff enter."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.views import home as wagtail_home
from wagtail.models import TaskState

from ouendan.core.staff_home import STAFF_HOME_HOOK, TODO, StaffHomeItem, staff_home_panels

from .admin_menu import menu_group_by_task
from .admin_views import staff_impact_figure_viewset

# Wagtail's own dashboard panels (recent edits, locked pages, moderation lists): the staff home
# replaces them with counts and links, a constant number of queries whoever looks.
WAGTAIL_PANELS = (
    wagtail_home.WhatsNewInWagtailVersionPanel,
    wagtail_home.WorkflowObjectsToModeratePanel,
    wagtail_home.UserObjectsInWorkflowModerationPanel,
    wagtail_home.RecentEditsPanel,
    wagtail_home.LockedPagesPanel,
)


# Impact figures staff enter (home/impact.py computes the rest).
@hooks.register("register_admin_viewset")
def register_staff_impact_figure_viewset():
    return staff_impact_figure_viewset


@hooks.register("construct_homepage_panels", order=100)
def staff_home(request, panels):
    panels[:] = [panel for panel in panels if not isinstance(panel, WAGTAIL_PANELS)]
    panels.extend(staff_home_panels(request))


@hooks.register("construct_homepage_summary_items", order=100)
def no_site_summary(request, items):
    # Page, image and document counts say nothing about today's work.
    items.clear()


@hooks.register("construct_main_menu", order=100)
def main_menu_by_task(request, items):
    menu_group_by_task(request, items)


@hooks.register(STAFF_HOME_HOOK)
def pages_staff_home_items(request):
    """Editors: pages waiting for their review (the campaign review workflow)."""
    user = request.user
    if not user_has_any_page_permission(user):
        return []
    return [
        StaffHomeItem(
            section=TODO,
            name="pages_to_review",
            label=_("Pages waiting for your review"),
            count=TaskState.objects.reviewable_by(user).count(),
            url=reverse("wagtailadmin_reports:workflow_tasks") + "?reviewable=true",
            order=70,
        )
    ]

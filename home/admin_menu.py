"""The admin menu grouped by task: supporters, gifts and money, goods, campaigns and thanks.

Each app registers its own screens and menu items (with their permission checks) in its
wagtail_hooks.py; this only moves the items a user may see into a few task-named submenus, when
the menu is built for a request (`construct_main_menu`). URLs and permissions stay the apps'.
A submenu is taken apart only when every item in it has a place below, so a screen added later
stays where its app put it until it is given one here.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import pgettext_lazy
from wagtail.admin.menu import Menu, SubmenuMenuItem


@dataclass(frozen=True)
class TaskMenu:
    name: str
    label: str
    icon: str
    order: int
    url_names: tuple[str, ...]  # the index screen of each item, in menu order


TASK_MENUS = (
    TaskMenu(
        "supporters",
        pgettext_lazy("admin menu", "Supporters"),
        "group",
        200,
        (
            "supporter:index",
            "membership:index",
            "deletion_request:index",
            "member_imports:list",
            "membership_plan:index",
            "area:index",
            "place:index",
            "places_transfer:import",
            "skill:index",
            "interest:index",
        ),
    ),
    TaskMenu(
        "money",
        pgettext_lazy("admin menu", "Gifts & money"),
        "tag",
        210,
        (
            "donation:index",
            "recurringdonation:index",
            "receipts:index",
            "funding_dashboard:index",
            "grant_income:index",
            "stripeevent:index",
        ),
    ),
    TaskMenu(
        "goods",
        pgettext_lazy("admin menu", "Goods"),
        "clipboard-list",
        220,
        (
            "pledge:index",
            "expected_delivery:index",
            "delivery:index",
            "wishlist_item:index",
            "corporate_wall_entry:index",
        ),
    ),
    TaskMenu(
        "thanks",
        pgettext_lazy("admin menu", "Campaigns & thanks"),
        "mail",
        230,
        (
            "campaign_thanks:list",
            "wagtailsnippets_campaigns_thankyoutemplate:list",
            "wagtailsnippets_campaigns_thankyoulog:list",
            "outgoing_emails:index",
        ),
    ),
)


class _ListedMenu(Menu):
    """A submenu that keeps the order it was given (the items' own orders come from different
    apps and would interleave)."""

    def render_component(self, request):
        return [item.render_component(request) for item in self.menu_items_for_request(request)]


def task_menus_url_map() -> dict[str, TaskMenu]:
    return {reverse(name): menu for menu in TASK_MENUS for name in menu.url_names}


def menu_group_by_task(request, items: list) -> None:
    """Replace the apps' own menu entries by the task submenus (items are those shown to the
    user, already checked by their own is_shown)."""
    wanted = task_menus_url_map()
    leaves, moved = {}, []
    for item in items:
        if isinstance(item, SubmenuMenuItem):
            children = item.menu.menu_items_for_request(request)
            if children and all(child.url in wanted for child in children):
                moved.append(item)
                leaves.update({child.url: child for child in children})
        elif item.url in wanted:
            moved.append(item)
            leaves[item.url] = item
    if not moved:
        return
    items[:] = [item for item in items if item not in moved]
    for menu in TASK_MENUS:
        children = [leaves[url] for url in (reverse(n) for n in menu.url_names) if url in leaves]
        if children:
            items.append(
                SubmenuMenuItem(
                    menu.label,
                    _ListedMenu(items=children),
                    name=menu.name,
                    icon_name=menu.icon,
                    order=menu.order,
                )
            )

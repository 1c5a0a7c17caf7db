"""The staff home (the admin dashboard): what needs action today and this month's figures.

Each app offers its own figures through the `register_staff_home_items` Wagtail hook, in its own
wagtail_hooks.py: a function of the request that returns `StaffHomeItem`s for what the user's
permissions allow (counts come from the app's selectors, one query each). The top layer (home)
asks for them once per request and shows them in panels (`StaffHomePanel`), so no app imports
another and each group sees only its own work.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

STAFF_HOME_HOOK = "register_staff_home_items"

TODO = "todo"  # needs action today
MONTH = "month"  # this month's figures


@dataclass(frozen=True)
class StaffHomeItem:
    """One figure on the staff home: a label, a count and the screen that lists what it counts.

    `amount_yen` adds a sum of money under the count (shown ¥1,234). A to-do item with nothing
    to do is shown quietly, so staff can tell "nothing" from "not counted".
    """

    section: str
    name: str
    label: str
    count: int
    url: str
    order: int = 100
    amount_yen: int | None = None

    @property
    def amount_display(self) -> str:
        return "" if self.amount_yen is None else f"¥{self.amount_yen:,}"

    @property
    def quiet(self) -> bool:
        return self.section == TODO and self.count == 0


@dataclass(frozen=True)
class Month:
    """A calendar month in the site's time zone (Asia/Tokyo): its first and last days, and the
    instants it starts and the next month starts."""

    first_day: datetime.date
    last_day: datetime.date
    start: datetime.datetime
    end: datetime.datetime


def this_month(now: datetime.datetime | None = None) -> Month:
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_first = (start.date() + datetime.timedelta(days=32)).replace(day=1)
    end = start.replace(year=next_first.year, month=next_first.month)
    return Month(
        first_day=start.date(),
        last_day=next_first - datetime.timedelta(days=1),
        start=start,
        end=end,
    )


def staff_home_items(request) -> list[StaffHomeItem]:
    """Every item the apps offer this user, in order."""
    items: list[StaffHomeItem] = []
    for fn in hooks.get_hooks(STAFF_HOME_HOOK):
        items.extend(fn(request) or ())
    return sorted(items, key=lambda item: (item.order, item.name))


class StaffHomePanel(Component):
    """A dashboard panel of items: a count, a label and a link each."""

    template_name = "core/admin/staff_home_panel.html"

    def __init__(self, *, name: str, heading, items: Iterable[StaffHomeItem], order: int, empty=""):
        self.name = name
        self.heading = heading
        self.items = list(items)
        self.order = order
        self.empty = empty

    def get_context_data(self, parent_context=None):
        return {"panel": self, "items": self.items}

    class Media:
        css = {"all": ["core/staff_home.css"]}


def staff_home_panels(request) -> list[StaffHomePanel]:
    """The two panels: what needs action today (always shown, saying so when nothing does) and
    this month's figures (when the user may see any)."""
    items = staff_home_items(request)
    panels = [
        StaffHomePanel(
            name="staff_home_todo",
            heading=_("Needs action today"),
            items=[item for item in items if item.section == TODO],
            order=10,
            empty=_("Nothing needs your attention today."),
        )
    ]
    month = [item for item in items if item.section == MONTH]
    if month:
        panels.append(
            StaffHomePanel(name="staff_home_month", heading=_("This month"), items=month, order=20)
        )
    return panels

"""Reading the staff home (the admin dashboard, site/core/staff_home.py) in tests."""

import re

from django.contrib.auth.models import Group

ITEM = re.compile(
    r'<li class="staff-home__item[^"]*" data-item="(?P<name>\w+)">(?P<body>.*?)</li>', re.S
)


def staff_user(django_user_model, group: str | None = None, *, superuser: bool = False):
    user = django_user_model.objects.create_user(
        f"staff-{group or 'super'}".replace(" ", "-"), password="pw", is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def home_items(client) -> dict[str, dict]:
    """Item name → {"count", "url", "amount"} as the staff home shows them."""
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    items = {}
    for match in ITEM.finditer(html):
        body = match["body"]
        amount = re.search(r'data-amount="(\d+)"', body)
        items[match["name"]] = {
            "count": int(re.search(r'data-count="(\d+)"', body)[1]),
            "url": re.search(r'href="([^"]+)"', body)[1].replace("&amp;", "&"),
            "amount": int(amount[1]) if amount else None,
        }
    return items

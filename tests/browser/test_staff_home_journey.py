"""A staff member logs in to the demo site's admin: the staff home counts what needs action
today and this month's figures, and one click opens the list behind a figure."""

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from donations import selectors as money
from donations.goods import selectors as goods
from donations.receipts import selectors as receipts
from home.admin_menu import TASK_MENUS
from members import selectors as members
from ouendan.core.staff_home import this_month

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_home_shows_the_counts_and_leads_to_the_lists(live_demo, page, screenshot):
    month = this_month()
    gifts = money.ledger_total(start=month.start, end=month.end)
    expected = {
        "pledges_to_review": goods.pledges_awaiting_review_count(),
        "deliveries_overdue": goods.deliveries_overdue_count(),
        "monthly_gifts_failed": money.monthly_gifts_failed_count(),
        "deletion_requests": members.deletion_requests_waiting_count(),
        "member_imports": members.member_imports_attention_count(),
        "certificates_due": receipts.certificates_due_count(year=timezone.localdate().year - 1),
        "gifts_this_month": gifts.count,
        "new_supporters": members.supporters_new_count(since=month.start),
    }
    assert expected["deliveries_overdue"] > 0 and expected["monthly_gifts_failed"] > 0  # demo

    page.goto(live_demo.url + "/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill("ouendan-demo")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(live_demo.url + "/admin/")

    todo = page.locator("[data-panel=staff_home_todo]")
    expect(todo).to_be_visible()
    for name, count in expected.items():
        item = page.locator(f"[data-item={name}] .staff-home__count")
        expect(item).to_have_attribute("data-count", str(count))
    expect(page.locator("[data-item=gifts_this_month] .staff-home__amount")).to_have_text(
        f"¥{gifts.net_yen:,}"
    )
    expect(page.locator(".w-summary")).to_have_count(0)  # Wagtail's page counts are gone
    # The menu is grouped by task (寄付・会計 and the others).
    menu = page.get_by_role("navigation", name="Main menu")
    with translation.override("ja"):
        for task in TASK_MENUS:
            expect(menu.get_by_role("button", name=str(task.label), exact=True)).to_be_visible()
    screenshot("staff-home")

    page.locator("[data-item=deliveries_overdue] a").click()
    expect(page).to_have_url(re.compile(r"/admin/expected_delivery/\?overdue=on$"))
    expect(page.locator("main table tbody tr")).to_have_count(expected["deliveries_overdue"])
    assert page.foreign_requests == []

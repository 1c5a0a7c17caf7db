"""A newcomer's first visit, in a real browser: read the site, switch language, log in to the
staff home (its counts agree with the selectors; one click opens the list behind a count)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from donations import selectors as money
from donations.goods import selectors as goods
from donations.receipts import selectors as receipts
from home.admin_menu import TASK_MENUS
from members import selectors as members
from ouendan.core.staff_home import this_month

# The live server reads committed data; serialized rollback restores the home page and site
# that migrations create, which a transactional test's flush would otherwise remove.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_visitor_reads_the_site_and_switches_to_english_then_staff_log_in(
    live_demo, page, screenshot
):
    """One journey on one demo build (building it takes seconds): a visitor, then staff."""
    page.goto(live_demo.url + "/")

    expect(page).to_have_title(re.compile("さくら野 子どもの未来応援団"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "子どもの未来を、地域のみんなで支える"
    )
    expect(page.locator(".impact__item")).to_have_count(7)
    hero = page.locator(".hero__image")
    expect(hero).to_be_visible()
    assert hero.evaluate("img => img.naturalWidth") > 0  # the uploaded image is really served
    screenshot("home-ja")

    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="活動報告"
    ).click()
    expect(page).to_have_url(live_demo.url + "/news/")
    expect(page.locator(".news-list__item")).to_have_count(3)
    page.get_by_role("link", name="第9回フードパントリーを開催しました").click()
    expect(page).to_have_url(live_demo.url + "/news/pantry-9th/")

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(live_demo.url + "/en/news/pantry-9th/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our 9th food pantry")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    screenshot("article-en")

    page.get_by_role("button", name="日本語").click()
    expect(page).to_have_url(live_demo.url + "/news/pantry-9th/")

    assert page.foreign_requests == []  # every asset is served locally
    assert page.console_errors == []  # nothing blocked by the Content-Security-Policy

    # Staff log in to the admin with the demo's credentials.
    page.goto(live_demo.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill("ouendan-demo")
    page.locator("button[type=submit]").click()

    expect(page).to_have_url(live_demo.url + "/admin/")
    expect(page.locator("main")).to_contain_text("応援団")
    staff_home_shows_the_counts(page)
    screenshot("admin-dashboard")  # the staff home
    page.locator("[data-item=deliveries_overdue] a").click()
    expect(page).to_have_url(re.compile(r"/admin/expected_delivery/\?overdue=on$"))
    expect(page.locator("main table tbody tr")).to_have_count(goods.deliveries_overdue_count())

    page.goto(live_demo.url + "/admin/pages/")
    expect(page.locator("body")).to_contain_text("ホーム")

    # The funding dashboard: every chart has its table under it, in yen.
    page.goto(live_demo.url + reverse("funding_dashboard:index"))
    expect(page.locator("main h2").first).to_be_visible()
    expect(page.locator("main table").first).to_contain_text("¥")
    screenshot("funding-dashboard")
    assert page.foreign_requests == []
    assert page.console_errors == []


def staff_home_shows_the_counts(page):
    """Every figure on the demo's staff home (a superuser sees them all) is what the app's
    selector counts; Wagtail's page counts are gone and the menu is grouped by task."""
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
    expect(page.locator("[data-panel=staff_home_todo]")).to_be_visible()
    for name, count in expected.items():
        expect(page.locator(f"[data-item={name}] .staff-home__count")).to_have_attribute(
            "data-count", str(count)
        )
    expect(page.locator("[data-item=gifts_this_month] .staff-home__amount")).to_have_text(
        f"¥{gifts.net_yen:,}"
    )
    expect(page.locator(".w-summary")).to_have_count(0)
    menu = page.get_by_role("navigation", name="Main menu")
    with translation.override("ja"):  # 支援者, 寄付・会計, 物品, キャンペーン・お礼
        for task in TASK_MENUS:
            expect(menu.get_by_role("button", name=str(task.label), exact=True)).to_be_visible()

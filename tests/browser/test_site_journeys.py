"""A newcomer's first visit, in a real browser: read the site, switch language, log in."""

import re

import pytest
from playwright.sync_api import expect

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
    screenshot("admin-dashboard")
    expect(page.locator("main")).to_contain_text("応援団")

    page.goto(live_demo.url + "/admin/pages/")
    expect(page.locator("body")).to_contain_text("ホーム")
    assert page.foreign_requests == []

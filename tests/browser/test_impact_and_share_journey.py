"""The impact page and a campaign's share links in a real browser, on a 390 px phone and a
1280 px desktop: the year picker swaps the figures without a reload, no axe violations, nothing
wider than the screen; share links are plain links to LINE, X and Facebook."""

from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (390, 1280)


def assert_accessible_and_fits(page, what: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: {widths[0]} px wide in a {widths[1]} px window"


def test_impact_year_picker_swaps_the_year_in_place_at_both_widths(live_demo, page, screenshot):
    this_year = timezone.localdate().year
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_demo.url + "/impact/")
        expect(page.get_by_role("heading", level=1)).to_have_text("活動の成果")
        panel = page.locator("[data-impact-panel]")
        expect(panel).to_have_attribute("data-year", str(this_year))
        # With JavaScript the select alone does it: the submit button is gone.
        expect(page.locator("[data-impact-submit]")).to_have_count(0)
        funds_this_year = panel.locator("[data-funds-row]").all_inner_texts()
        assert funds_this_year, "the use of funds is shown"
        assert_accessible_and_fits(page, f"impact {width}")
        screenshot(f"impact-{width}")

        page.evaluate("() => { window.__notReloaded = true; }")
        page.locator("#impact-year").select_option(str(this_year - 1))

        expect(panel.first).to_have_attribute("data-year", str(this_year - 1))
        expect(page).to_have_url(f"{live_demo.url}/impact/?year={this_year - 1}")
        assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
        expect(page.locator("[data-impact-status]")).to_contain_text(str(this_year - 1))
        expect(page.locator("[data-impact-period]")).to_contain_text(str(this_year - 1))
        assert page.locator("[data-funds-row]").all_inner_texts() != funds_this_year

        page.locator("#impact-year").select_option("all")
        expect(page.locator("[data-impact-panel]")).to_have_attribute("data-year", "all")
        assert page.evaluate("() => window.__notReloaded === true")
        assert_accessible_and_fits(page, f"impact all years {width}")
        screenshot(f"impact-after-picking-{width}")
    # The live figures on the home page pick a year in place too.
    page.goto(live_demo.url + "/")
    block = page.locator("[data-impact-panel]")
    expect(block.locator("[data-impact-submit]")).to_have_count(0)
    page.evaluate("() => { window.__notReloaded = true; }")
    page.locator("[data-impact-year]").select_option(str(this_year - 1))
    expect(page.locator("[data-impact-panel]")).to_have_attribute("data-year", str(this_year - 1))
    expect(page).to_have_url(f"{live_demo.url}/?impact_year={this_year - 1}")
    assert page.evaluate("() => window.__notReloaded === true")
    expect(page.locator("[data-impact-year]")).to_be_focused()

    # The English impact page and the ways to support (every way with its button).
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_demo.url + "/en/impact/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Our impact")
        assert_accessible_and_fits(page, f"English impact {width}")
        page.goto(live_demo.url + "/support/")
        expect(page.locator("main a.button")).to_have_count(6)
        assert_accessible_and_fits(page, f"support {width}")
    page.locator("main a.button", has_text="毎月寄付する").click()
    expect(page).to_have_url(live_demo.url + "/donate/?frequency=monthly")
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_campaign_share_links_lead_to_line_x_and_facebook_at_both_widths(
    live_demo, page, screenshot
):
    url = f"{live_demo.url}/campaigns/summer-meals/"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        share = page.get_by_role("navigation", name="このページをシェア").or_(
            page.get_by_role("navigation", name="Share this page")
        )
        links = share.get_by_role("link")
        expect(links).to_have_count(3)
        hrefs = [links.nth(n).get_attribute("href") for n in range(3)]
        line, x, facebook = (urlsplit(href) for href in hrefs)
        assert line.netloc == "social-plugins.line.me" and parse_qs(line.query)["url"] == [url]
        assert x.netloc == "x.com" and parse_qs(x.query)["url"] == [url]
        assert facebook.netloc == "www.facebook.com" and parse_qs(facebook.query)["u"] == [url]
        for n in range(3):
            expect(links.nth(n)).to_have_attribute("target", "_blank")
            icon = links.nth(n).locator("img")
            assert icon.evaluate("img => img.complete && img.naturalWidth > 0")
        # The head names the same address as the links (not http://localhost).
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        og_url = page.locator('meta[property="og:url"]').get_attribute("content")
        assert canonical == og_url == url
        assert page.locator('link[rel="alternate"][hreflang="en"]').get_attribute("href") == (
            f"{live_demo.url}/en/campaigns/summer-meals/"
        )
        assert_accessible_and_fits(page, f"campaign {width}")
        screenshot(f"campaign-{width}")
    assert page.foreign_requests == []  # no script or icon of any network is loaded


def test_pledge_form_starts_with_one_row_adds_rows_in_place_and_fills_the_item_name(
    live_demo, page
):
    from donations.goods.models import WishlistItem

    rice = WishlistItem.objects.get(name="お米")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_demo.url + "/goods/")
        expect(page.locator("[data-goods-line]")).to_have_count(1)
        page.evaluate("() => { window.__notReloaded = true; }")

        page.locator("#id_goods-0-wishlist_item").select_option(str(rice.pk))
        expect(page.locator("#id_goods-0-description")).to_have_value("お米")
        expect(page.locator("#id_goods-0-unit")).to_have_value("kg")
        expect(page.locator("#id_goods-0-category")).to_have_value("food")

        page.get_by_role("button", name="More lines").or_(page.locator("[data-add-line]")).click()
        expect(page.locator("[data-goods-line]")).to_have_count(2)
        expect(page.locator("input[name='goods-TOTAL_FORMS']")).to_have_value("2")
        second = page.locator("#id_goods-1-description")
        expect(second).to_have_value("")
        expect(page.locator("#id_goods-1-wishlist_item")).to_be_focused()
        expect(page.locator("label[for='id_goods-1-description']")).to_have_count(1)
        assert page.evaluate("() => window.__notReloaded === true")
        # A typed name is kept when the item changes.
        second.fill("お米 5kg袋")
        page.locator("#id_goods-1-wishlist_item").select_option(str(rice.pk))
        expect(second).to_have_value("お米 5kg袋")
        assert_accessible_and_fits(page, f"pledge form {width}")
    assert page.console_errors == []

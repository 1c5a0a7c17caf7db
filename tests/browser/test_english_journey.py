"""A foreign resident, Lan Nguyen, uses the English site end to end on a phone (390 px) and a
desktop (1280 px): joins without kana, gives (up to Stripe Checkout), pledges goods, confirms
the e-mail and reads the portal. Every page has 0 axe violations and no horizontal scrolling."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import Site

from donations import stripe_api
from donations.goods.models import Pledge, PledgePage, WishlistItem
from donations.models import CheckoutRequest, DonatePage, Donation
from donations.services import donation_record
from members.models import JoinPage, MemberPortalPage, MembershipPlan, Supporter
from ouendan.core.models import OutgoingEmail
from tests.outbox_helpers import sent_body
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_english"
AXE = Axe()


def check_page(page, name: str) -> None:
    """0 axe violations, and nothing wider than the screen."""
    results = AXE.run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths}"


def link_in_latest_email(to: str, pattern: str) -> str:
    """The newest link like `pattern` mailed to `to` (the pledge's mail came after the join's)."""
    for message in OutgoingEmail.objects.filter(to=to).order_by("-pk"):
        found = re.search(rf"https?://\S+{pattern}[\w-]+/", sent_body(message))
        if found:
            return found.group(0)
    raise AssertionError(f"no {pattern} link mailed to {to}")


def build_site():
    home = Site.objects.get(is_default_site=True).root_page
    free = MembershipPlan.objects.create(
        name="無料サポーター", name_en="Free supporter", period=MembershipPlan.Period.NONE
    )
    join = JoinPage(title="入会・ボランティア登録", slug="join", privacy_policy_version="2026-04")
    home.add_child(instance=join)
    join.plans.add(free)
    join.save_revision().publish()
    donate = DonatePage(title="寄付する", slug="donate")
    home.add_child(instance=donate)
    donate.save_revision().publish()
    pledge = PledgePage(title="物品のご寄付", slug="goods", warehouse_address="さくら野市本町2-4-1")
    home.add_child(instance=pledge)
    pledge.save_revision().publish()
    WishlistItem.objects.create(
        name="お米", name_en="Rice", category="food", unit="kg", quantity_needed=50
    )
    home.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))


@pytest.mark.parametrize("width", [390, 1280])
def test_lan_nguyen_joins_gives_pledges_and_reads_the_portal_in_english(
    live_server, page, monkeypatch, width
):
    cache.clear()  # rate limits count in this process's local-memory cache
    page.set_viewport_size({"width": width, "height": 900})
    build_site()
    url = live_server.url

    # Join, as a person, with a Latin-script name and no kana.
    page.goto(url + "/en/join/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Free supporter (no fee)")).to_be_visible()
    check_page(page, "join")
    page.locator("#id_family_name").fill("Nguyen")
    page.locator("#id_given_name").fill("Lan")
    page.locator("#id_email").fill("lan@example.jp")
    page.locator("#id_privacy_policy").check()
    page.locator("form.join-form button[type=submit]").click()
    expect(page).to_have_url(url + "/en/join/thanks/")
    check_page(page, "join thanks")
    lan = Supporter.objects.get(email="lan@example.jp")
    assert (lan.family_name, lan.given_name, lan.family_name_kana) == ("Nguyen", "Lan", "")
    assert lan.preferred_language == "en"

    # Give monthly: the form takes the name without kana and hands over to Stripe Checkout.
    recorder = RecordingHTTPClient([(200, checkout_session("cs_test_english", CHECKOUT_URL))])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<html lang='en'><title>Checkout</title><h1>Stripe Checkout (test)</h1></html>",
        ),
    )
    with override_settings(STRIPE_SECRET_KEY="sk_test_english"):
        page.goto(url + "/en/donate/")
        check_page(page, "donate")
        page.get_by_label("Monthly").check()
        page.get_by_label("¥3,000").check()
        page.locator("#id_family_name").fill("Nguyen")
        page.locator("#id_given_name").fill("Lan")
        page.locator("#id_email").fill("lan@example.jp")
        page.locator("#id_privacy").check()
        page.locator("main form button[type=submit]").last.click()
        expect(page).to_have_url(CHECKOUT_URL)
    checkout = CheckoutRequest.objects.get()
    assert (checkout.family_name, checkout.family_name_kana, checkout.language) == (
        "Nguyen",
        "",
        "en",
    )
    assert recorder.requests[0]["params"]["locale"] == "en"

    # Pledge goods from the wishlist, shown in English.
    page.goto(url + "/en/goods/")
    expect(page.get_by_role("rowheader", name=re.compile("^Rice"))).to_be_visible()
    check_page(page, "pledge")
    page.locator("input[name=kind][value=person]").check()
    page.locator("#id_family_name").fill("Nguyen")
    page.locator("#id_given_name").fill("Lan")
    page.locator("#id_email").fill("lan@example.jp")
    page.locator("#id_goods-0-category").select_option("food")
    page.locator("#id_goods-0-description").fill("Rice, 5 kg bags")
    page.locator("#id_goods-0-quantity").fill("10")
    page.locator("#id_goods-0-unit").select_option("kg")
    page.locator("#id_privacy_policy").check()
    page.locator("button[name=send]").click()
    expect(page).to_have_url(url + "/en/goods/thanks/")
    check_page(page, "pledge thanks")
    assert Pledge.objects.get().supporter == lan  # the same person, found by e-mail

    # A gift recorded by staff, then the portal through the confirmation e-mail.
    donation_record(
        supporter=lan,
        kind=Donation.Kind.MONTHLY,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=3000,
        paid_at=timezone.now() - datetime.timedelta(days=3),
    )
    page.goto(link_in_latest_email("lan@example.jp", "/join/confirm/"))
    check_page(page, "confirm")
    page.locator("main form button[type=submit]").click()
    page.goto(url + "/en/portal/")
    expect(page.locator(".profile-name")).to_have_text("Nguyen Lan")  # no empty （）
    history = page.locator("table.gift-history")
    expect(history.get_by_role("cell", name="¥3,000")).to_be_visible()
    expect(history.get_by_role("cell", name="Bank transfer")).to_be_visible()
    page.get_by_text("Change or stop your monthly gift").click()  # the bank-transfer request
    check_page(page, "portal")
    page.get_by_label("Stop my monthly gift").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("We have received your request")).to_be_visible()
    assert lan.monthly_gift_requests.get().action == "stop"

    assert set(page.foreign_requests) <= {CHECKOUT_URL}
    assert page.console_errors == []  # nothing blocked by the Content-Security-Policy

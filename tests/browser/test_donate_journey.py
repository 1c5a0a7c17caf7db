"""A visitor fills in the donate form and is sent to Stripe Checkout with the right request."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from donations import stripe_api
from donations.models import CheckoutRequest, DonatePage, Donation
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_browser"


def test_donate_form_sends_the_visitor_to_checkout(live_server, page, screenshot, monkeypatch):
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    donate = DonatePage(title="寄付する", slug="donate")
    home.add_child(instance=donate)
    donate.save_revision().publish()
    recorder = RecordingHTTPClient([(200, checkout_session("cs_test_browser", CHECKOUT_URL))])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    # Stripe's page is answered inside the browser: nothing leaves this machine.
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Stripe Checkout (test)</h1>"
        ),
    )

    with override_settings(STRIPE_SECRET_KEY="sk_test_browser"):
        page.goto(live_server.url + "/donate/")
        page.get_by_label("毎月").check()
        page.get_by_label("¥3,000").check()
        page.locator("#id_family_name").fill("山田")
        page.locator("#id_given_name").fill("花子")
        page.get_by_label("セイ").fill("やまだ")
        page.get_by_label("メイ").fill("はなこ")
        page.get_by_label("メールアドレス").fill("hana@example.jp")
        page.get_by_label("プライバシーポリシー").check()
        screenshot("donate-form")
        page.get_by_role("button", name="安全な決済ページへ進む").click()
        expect(page).to_have_url(CHECKOUT_URL)

    expect(page.get_by_role("heading")).to_have_text("Stripe Checkout (test)")
    params = recorder.requests[0]["params"]
    assert params["mode"] == "subscription"
    assert params["line_items[0][price_data][unit_amount]"] == "3000"
    assert params["line_items[0][price_data][recurring][interval]"] == "month"
    assert params["customer_email"] == "hana@example.jp"
    assert CheckoutRequest.objects.get().stripe_session_id == "cs_test_browser"
    assert not Donation.objects.exists()
    assert set(page.foreign_requests) == {CHECKOUT_URL}  # nothing left but the redirect
    assert page.console_errors == []

"""The donate form sends exactly the Checkout request we expect; only webhooks add money."""

import pytest
from django.test import override_settings
from django.utils import timezone

from donations import stripe_api
from donations.models import CheckoutRequest, DonatePage, Donation
from members.models import ConsentRecord, Supporter
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = pytest.mark.django_db

KEY = "sk_test_ouendan_recorder"


@pytest.fixture
def donate_page(home_page):
    page = DonatePage(title="寄付する", slug="donate", minimum_yen=500, maximum_yen=1_000_000)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def stripe_recorder(monkeypatch):
    recorder = RecordingHTTPClient([(200, checkout_session())])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        yield recorder


def donor(**overrides):
    return {
        "frequency": "one_off",
        "amount": "5000",
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "やまだ",
        "given_name_kana": "はなこ",
        "email": "Hana@Example.jp",
        "message": "応援しています",
        "show_name": "on",
        "privacy": "on",
        **overrides,
    }


def test_one_off_gift_sends_the_exact_checkout_request(client, donate_page, stripe_recorder):
    response = client.post(f"/donate/?campaign={donate_page.pk}", donor())

    assert response.status_code == 303
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    [sent] = stripe_recorder.requests
    checkout = CheckoutRequest.objects.get()
    assert (sent["method"], sent["host"], sent["path"]) == (
        "POST",
        "api.stripe.com",
        "/v1/checkout/sessions",
    )
    assert sent["headers"]["Authorization"] == f"Bearer {KEY}"
    assert sent["headers"]["Idempotency-Key"] == f"checkout-{checkout.uuid}"
    # Exactly these parameters: our references and the payment, no message, name or wish.
    assert sent["params"] == {
        "mode": "payment",
        "payment_method_types[0]": "card",
        "payment_method_types[1]": "konbini",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "jpy",
        "line_items[0][price_data][unit_amount]": "5000",  # whole yen, no *100
        "line_items[0][price_data][product_data][name]": "寄付",
        "customer_email": "hana@example.jp",
        "client_reference_id": str(checkout.uuid),
        "success_url": "http://testserver/donate/thanks/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://testserver/donate/cancelled/",
        "locale": "ja",
        "metadata[checkout_request]": str(checkout.uuid),
        "metadata[campaign_id]": str(donate_page.pk),
        "payment_intent_data[metadata][checkout_request]": str(checkout.uuid),
        "payment_intent_data[metadata][campaign_id]": str(donate_page.pk),
    }
    everything_sent = " ".join(f"{k}={v}" for k, v in sent["params"].items())
    for private in ("応援しています", "山田", "花子", "ヤマダ", "ハナコ", "show_name", "message"):
        assert private not in everything_sent

    # The donor's details and wishes stay with us, and no supporter exists before payment.
    assert (checkout.status, checkout.stripe_session_id) == ("redirected", "cs_test_1")
    assert checkout.supporter is None
    assert (checkout.email, checkout.family_name, checkout.given_name) == (
        "hana@example.jp",
        "山田",
        "花子",
    )
    assert (checkout.family_name_kana, checkout.given_name_kana) == ("ヤマダ", "ハナコ")
    assert (checkout.message, checkout.show_name, checkout.show_amount) == (
        "応援しています",
        True,
        False,
    )
    assert (checkout.language, checkout.campaign_id) == ("ja", donate_page.pk)
    assert not Supporter.objects.exists() and not ConsentRecord.objects.exists()
    assert not Donation.objects.exists()  # no money until a verified webhook says so


def test_monthly_gift_creates_a_subscription_checkout(client, donate_page, stripe_recorder):
    client.post("/donate/", donor(frequency="monthly", amount="", custom_amount="1500"))
    params = stripe_recorder.requests[0]["params"]
    checkout = CheckoutRequest.objects.get()
    assert params["mode"] == "subscription"
    assert params["payment_method_types[0]"] == "card"
    assert "payment_method_types[1]" not in params
    assert params["line_items[0][price_data][unit_amount]"] == "1500"
    assert params["line_items[0][price_data][recurring][interval]"] == "month"
    metadata = {k: v for k, v in params.items() if "[metadata]" in k or k.startswith("metadata")}
    assert metadata == {
        "metadata[checkout_request]": str(checkout.uuid),
        "subscription_data[metadata][checkout_request]": str(checkout.uuid),
    }
    assert not Supporter.objects.exists()


def test_english_visitors_get_english_checkout(client, donate_page, stripe_recorder):
    client.post("/en/donate/", donor())
    params = stripe_recorder.requests[0]["params"]
    assert params["locale"] == "en"
    assert params["success_url"].startswith("http://testserver/en/donate/thanks/?session_id=")
    assert CheckoutRequest.objects.get().language == "en"


@pytest.fixture
def many_sessions(monkeypatch):
    recorder = RecordingHTTPClient([(200, checkout_session(f"cs_test_{n}")) for n in range(20)])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        yield recorder


@pytest.mark.parametrize(
    ("allowed", "email_of"),
    [
        (5, lambda n: "same@example.jp"),  # per e-mail address
        (10, lambda n: f"donor{n}@example.jp"),  # per client address (lowered below)
    ],
)
def test_donate_form_is_rate_limited_and_keeps_the_input(
    client, donate_page, many_sessions, allowed, email_of, settings
):
    # OUENDAN_RATE_LIMITS: the real per-IP limit is far higher (an event hall shares one Wi-Fi).
    settings.OUENDAN_RATE_LIMITS = {
        **settings.OUENDAN_RATE_LIMITS,
        "donations:donate": {"email": "5/h", "ip": "10/h"},
    }
    for n in range(allowed):
        assert client.post("/donate/", donor(email=email_of(n))).status_code == 303

    response = client.post("/donate/", donor(email=email_of(allowed), message="また来ます"))

    assert response.status_code == 429 and response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "試行が多すぎます" in html and "料金は発生していません" in html
    assert 'value="山田"' in html and "また来ます" in html  # what the visitor typed is kept
    assert len(many_sessions.requests) == allowed  # no Checkout session for the refused POST
    assert CheckoutRequest.objects.count() == allowed and not Supporter.objects.exists()
    english = client.post("/en/donate/", donor(email=email_of(allowed)))
    assert english.status_code == 429
    assert "Too many attempts" in english.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "", "custom_amount": ""}, "amount"),
        ({"amount": "", "custom_amount": "100"}, "custom_amount"),
        ({"amount": "", "custom_amount": "2000000"}, "custom_amount"),
        ({"amount": "4321"}, "amount"),  # not one of the offered amounts
        ({"given_name_kana": "花子"}, "given_name_kana"),
        ({"privacy": ""}, "privacy"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_sent(
    client, donate_page, stripe_recorder, overrides, field
):
    response = client.post("/donate/", donor(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert stripe_recorder.requests == []
    assert not CheckoutRequest.objects.exists() and not Supporter.objects.exists()


def test_without_stripe_keys_the_form_explains_and_calls_nobody(client, donate_page, monkeypatch):
    recorder = RecordingHTTPClient()
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=""):
        page = client.get("/donate/").content.decode()
        response = client.post("/donate/", donor())
    # No form that could only fail: the page offers the other ways to give instead, and a POST
    # all the same gets that page again, without an error.
    assert 'name="amount"' not in page and "data-no-online-payment" in page
    assert response.status_code == 200 and "form" not in response.context
    assert "data-no-online-payment" in response.content.decode()
    assert recorder.requests == [] and not CheckoutRequest.objects.exists()


def test_stripe_refusal_is_shown_and_recorded(client, donate_page, monkeypatch):
    error = {"error": {"type": "invalid_request_error", "message": "Amount too small"}}
    recorder = RecordingHTTPClient([(400, error)])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        response = client.post("/donate/", donor())
    assert response.status_code == 200
    checkout = CheckoutRequest.objects.get()
    assert checkout.status == "failed" and "Amount too small" in checkout.error


def test_thank_you_page_never_marks_anything_paid(client, donate_page):
    response = client.get("/donate/thanks/?session_id=cs_test_1")
    assert response.status_code == 200
    assert not Donation.objects.exists()


def test_donate_block_links_prefill_the_form(client, home_page, donate_page, stripe_recorder):
    home_page.body = [
        (
            "donate",
            {
                "heading": "毎月の応援",
                "text": "",
                "page": donate_page,
                "frequency": "monthly",
                "amounts": [1000, 3000],
            },
        )
    ]
    home_page.save_revision().publish()
    html = client.get("/").content.decode()
    link = f"/donate/?frequency=monthly&amp;amount=3000&amp;campaign={home_page.pk}"
    assert link in html and "¥3,000" in html

    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert (form.initial["frequency"], form.initial["amount"]) == ("monthly", "3000")
    assert client.get(link.replace("&amp;", "&")).context["campaign_id"] == home_page.pk


@pytest.fixture
def portal_donor(client, home_page):
    """A supporter logged in to the member portal, with a gift, a refund and a monthly gift."""
    import time

    from donations.models import RecurringDonation
    from donations.services import StripeKeys, donation_record, donation_refund
    from members.models import MemberPortalPage
    from members.views import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
    from tests.members.factories import SupporterFactory

    portal = MemberPortalPage(title="会員ページ", slug="portal")
    home_page.add_child(instance=portal)
    portal.save_revision().publish()
    supporter = SupporterFactory()
    gift, _ = donation_record(
        supporter=supporter,
        kind="one_off",
        method="card",
        amount_yen=5000,
        paid_at=timezone.now(),
        stripe_keys=StripeKeys(checkout_session_id="cs_portal"),
    )
    donation_refund(donation=gift, refunded_total_yen=2000)
    RecurringDonation.objects.create(
        supporter=supporter,
        amount_yen=1000,
        status="active",
        stripe_subscription_id="sub_portal",
        stripe_customer_id="cus_portal",
    )
    session = client.session
    session[SESSION_SUPPORTER] = supporter.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()
    return supporter


def test_portal_shows_gifts_refunds_totals_and_the_monthly_gift(client, portal_donor):
    html = client.get("/portal/").content.decode()
    assert "¥5,000" in html and "¥2,000" in html  # gift and refund
    assert "¥3,000" in html  # this year's total, net of the refund
    assert "¥1,000" in html and 'action="/donations/billing-portal/"' in html


def test_customer_portal_opens_for_the_donor_own_customer_only(client, portal_donor, monkeypatch):
    recorder = RecordingHTTPClient(
        [
            (
                200,
                {
                    "id": "bps_1",
                    "object": "billing_portal.session",
                    "url": "https://billing.stripe.com/p/session/bps_1",
                },
            )
        ]
    )
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        response = client.post("/donations/billing-portal/")
    assert response.status_code == 303
    assert response["Location"] == "https://billing.stripe.com/p/session/bps_1"
    [sent] = recorder.requests
    assert sent["path"] == "/v1/billing_portal/sessions"
    assert sent["params"]["customer"] == "cus_portal"
    assert sent["params"]["return_url"] == "http://testserver/portal/"


def test_customer_portal_needs_a_portal_login(client, home_page, monkeypatch):
    from members.models import MemberPortalPage

    portal = MemberPortalPage(title="会員ページ", slug="portal")
    home_page.add_child(instance=portal)
    portal.save_revision().publish()
    recorder = RecordingHTTPClient()
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        response = client.post("/donations/billing-portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert recorder.requests == []
    assert client.get("/donations/billing-portal/").status_code == 405

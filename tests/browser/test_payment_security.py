"""The money journeys as Chromium runs them, under the production security headers, all the way
to Stripe's page: what a browser enforces (CSRF's Origin check under the Referrer-Policy, the
CSP's form-action on the redirect after a POST) is what the other tests cannot see.

Stripe's API is answered by the recorder; Stripe's pages (checkout.stripe.com,
billing.stripe.com) are answered inside the browser by `page.route`, so the test asserts that
Chromium really navigated there. Any CSP violation fails the test.

Production headers here: the same middleware stack and base settings (CSP, Referrer-Policy
`same-origin`, `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`), and the session,
CSRF and language cookies with production's flags (Secure, HttpOnly): Chromium accepts Secure
cookies from http://localhost, so they are exercised. Not exercised, because the live server
speaks plain http: HSTS (Django sends it over https only) and the https redirect.
"""

import ast
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from donations import stripe_api
from donations.models import CheckoutRequest, DonatePage, Donation, RecurringDonation
from members.models import AccessToken, MemberPortalPage, Supporter
from members.services import access_token_issue
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PRODUCTION = Path(__file__).resolve().parents[2] / "site" / "settings" / "production.py"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_secure"
PORTAL_URL = "https://billing.stripe.com/p/session/test_secure"
# Flags the live server can honour over http (the rest need https: see the module docstring).
COOKIE_FLAGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
)
HEADER_SETTINGS = ("SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF")


def production_literals() -> dict:
    """The plain values production.py assigns (it cannot be imported without its environment)."""
    values = {}
    for node in ast.parse(PRODUCTION.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                values[target.id] = node.value.value
    return values


@pytest.fixture
def production_security(live_server):
    """Production's cookie flags (read per response, so they apply to the live server) and a
    check that the header settings, which the middleware reads once, already match production."""
    from django.conf import settings

    production = production_literals()
    for name in HEADER_SETTINGS:
        assert getattr(settings, name) == production[name], name
    with override_settings(**{name: production[name] for name in COOKIE_FLAGS}):
        assert all(production[name] is True for name in COOKIE_FLAGS)
        yield production


def stripe_stub(title: str, referers: list):
    """Stripe's page, answered in the browser: nothing leaves this machine. Records the
    Referer each request carried (a token in it would leak to Stripe)."""

    def fulfil(route):
        referers.append(route.request.headers.get("referer"))
        route.fulfill(status=200, content_type="text/html", body=f"<h1>{title}</h1>")

    return fulfil


@pytest.fixture
def watched(page, live_server):
    """The tab, recording CSP violations (the DOM event, from every document) and our own
    responses, whose security headers are checked at the end."""
    page.csp_violations = []
    page.our_responses = []
    page.stripe_referers = []
    page.context.expose_binding(
        "reportCspViolation", lambda _source, text: page.csp_violations.append(text)
    )
    page.context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on(
        "response",
        lambda response: (
            page.our_responses.append(response)
            if response.url.startswith(live_server.url) and "/static/" not in response.url
            else None
        ),
    )
    for host, title in (
        ("https://checkout.stripe.com/**", "Stripe Checkout (test)"),
        ("https://billing.stripe.com/**", "Stripe Customer Portal (test)"),
    ):
        page.route(host, stripe_stub(title, page.stripe_referers))
    yield page
    # Nothing refused, and every page of ours carried the production headers.
    assert page.csp_violations == []
    assert not [m for m in page.console_errors if "Content Security Policy" in m]
    statuses = [(r.request.method, r.url, r.status) for r in page.our_responses]
    assert all(status < 400 for _method, _url, status in statuses), statuses
    html = [r for r in page.our_responses if r.status == 200]
    assert html
    for response in html:
        headers = response.headers
        assert (
            "form-action 'self' https://checkout.stripe.com https://billing.stripe.com"
            in (headers["content-security-policy"])
        )
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def stripe_answers(monkeypatch, body: dict) -> RecordingHTTPClient:
    recorder = RecordingHTTPClient([(200, body)])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    return recorder


def portal_session(url=PORTAL_URL) -> dict:
    return {"id": "bps_secure", "object": "billing_portal.session", "url": url}


def monthly_donor() -> Supporter:
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    home.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    supporter = Supporter.objects.create(
        family_name="山田",
        given_name="花子",
        email="hana@example.jp",
        status=Supporter.Status.ACTIVE,
    )
    RecurringDonation.objects.create(
        supporter=supporter,
        amount_yen=1000,
        status=RecurringDonation.Status.PAST_DUE,
        stripe_subscription_id="sub_secure",
        stripe_customer_id="cus_secure",
    )
    return supporter


def test_card_update_link_opens_the_customer_portal(
    live_server, production_security, watched, monkeypatch
):
    supporter = monthly_donor()
    token = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.BILLING)
    recorder = stripe_answers(monkeypatch, portal_session())

    with override_settings(STRIPE_SECRET_KEY="sk_test_browser"):
        watched.goto(f"{live_server.url}/donations/update-card/{token}/")
        # Before the fix the page said "no-referrer": Chromium then sent "Origin: null" with
        # this POST and Django's CSRF check answered 403.
        watched.locator('main form[action=""] button[type=submit]').click()
        expect(watched).to_have_url(PORTAL_URL)

    expect(watched.get_by_role("heading")).to_have_text("Stripe Customer Portal (test)")
    [sent] = recorder.requests
    assert (sent["path"], sent["params"]["customer"]) == (
        "/v1/billing_portal/sessions",
        "cus_secure",
    )
    assert not AccessToken.objects.filter(used_at__isnull=True).exists()  # single use
    # Only the redirect target was requested, and the token went to Stripe in no Referer.
    assert set(watched.foreign_requests) == {PORTAL_URL}
    assert watched.stripe_referers and set(watched.stripe_referers) == {None}


def test_portal_monthly_gift_button_reaches_the_customer_portal(
    live_server, production_security, watched, monkeypatch
):
    supporter = monthly_donor()
    login = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.LOGIN)
    recorder = stripe_answers(monkeypatch, portal_session())

    with override_settings(STRIPE_SECRET_KEY="sk_test_browser"):
        watched.goto(f"{live_server.url}/portal/login/{login}/")
        watched.locator('main form[action=""] button[type=submit]').click()
        expect(watched).to_have_url(f"{live_server.url}/portal/")
        # The session cookie is Secure and HttpOnly, as in production, and still works.
        session = [c for c in watched.context.cookies() if c["name"] == "sessionid"]
        assert session and session[0]["secure"] and session[0]["httpOnly"]
        # Before the fix the CSP's form-action allowed checkout.stripe.com only, and Chromium
        # refused the redirect after this POST to billing.stripe.com.
        watched.locator('form[action="/donations/billing-portal/"] button').click()
        expect(watched).to_have_url(PORTAL_URL)

    expect(watched.get_by_role("heading")).to_have_text("Stripe Customer Portal (test)")
    assert recorder.requests[0]["params"]["customer"] == "cus_secure"
    assert set(watched.foreign_requests) == {PORTAL_URL}


def test_donate_form_reaches_checkout_and_sends_stripe_no_personal_text(
    live_server, production_security, watched, monkeypatch
):
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    home.add_child(instance=DonatePage(title="寄付する", slug="donate"))
    recorder = stripe_answers(monkeypatch, checkout_session("cs_test_secure", CHECKOUT_URL))

    with override_settings(STRIPE_SECRET_KEY="sk_test_browser"):
        watched.goto(live_server.url + "/donate/")
        watched.locator("input[name=frequency][value=one_off]").check()
        watched.locator("input[name=amount][value='5000']").check()
        watched.locator("#id_family_name").fill("山田")
        watched.locator("#id_given_name").fill("花子")
        watched.locator("#id_family_name_kana").fill("やまだ")
        watched.locator("#id_given_name_kana").fill("はなこ")
        watched.locator("#id_email").fill("hana@example.jp")
        watched.locator("#id_message").fill("いつも応援しています")
        watched.locator("#id_show_name").check()
        watched.locator("#id_privacy").check()
        watched.locator("form.donate-form button[type=submit]").click()
        expect(watched).to_have_url(CHECKOUT_URL)

    expect(watched.get_by_role("heading")).to_have_text("Stripe Checkout (test)")
    [sent] = recorder.requests
    everything_sent = " ".join(f"{k}={v}" for k, v in sent["params"].items())
    for private in ("いつも応援しています", "山田", "花子", "ヤマダ", "ハナコ"):
        assert private not in everything_sent
    checkout = CheckoutRequest.objects.get()
    assert sent["params"]["client_reference_id"] == str(checkout.uuid)
    assert checkout.message == "いつも応援しています" and checkout.show_name
    # Nobody is created or changed before Stripe's verified paid event.
    assert not Supporter.objects.exists() and not Donation.objects.exists()
    assert set(watched.foreign_requests) == {CHECKOUT_URL}

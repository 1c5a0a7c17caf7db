"""Membership fees go through the same Checkout + webhook path as gifts; a failed monthly payment
mails a single-use link straight to Stripe's Customer Portal; staff see a donor's totals."""

import datetime
import json
import re
import time

import pytest
import stripe
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from donations import stripe_api
from donations.models import CheckoutRequest, Donation, RecurringDonation
from donations.services import StripeKeys, donation_record, donation_refund
from members.groups import FINANCE, MEMBER_STAFF
from members.models import (
    AccessToken,
    JoinPage,
    MemberPortalPage,
    Membership,
    MembershipPlan,
    Supporter,
)
from members.services import access_token_issue, membership_start
from members.views import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
from tests.members.factories import SupporterFactory
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = pytest.mark.django_db

KEY = "sk_test_ouendan_recorder"
SECRET = "whsec_test_ouendan"


@pytest.fixture
def portal(home_page):
    page = home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    page.save_revision().publish()
    return page


@pytest.fixture
def yearly_plan():
    return MembershipPlan.objects.create(
        name="個人会員", period=MembershipPlan.Period.YEAR, amount_yen=3000
    )


@pytest.fixture
def member(yearly_plan):
    supporter = SupporterFactory(email="kaiin@example.jp", family_name="会員")
    membership_start(supporter=supporter, plan=yearly_plan)
    return supporter


def log_in(client, supporter):
    session = client.session
    session[SESSION_SUPPORTER] = supporter.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()


@pytest.fixture
def recorder(monkeypatch):
    recording = RecordingHTTPClient(
        [(200, checkout_session("cs_fee", "https://checkout.stripe.com/c/pay/cs_fee"))]
    )
    monkeypatch.setattr(stripe_api, "http_client_override", recording)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        yield recording


def signed_post(client, event_type, obj, django_capture_on_commit_callbacks, event_id="evt_1"):
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    )
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET, int(time.time()))
    with (
        override_settings(STRIPE_WEBHOOK_SECRET=SECRET),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
    assert response.status_code == 200


def test_member_pays_the_fee_through_checkout_and_only_the_webhook_activates_it(
    client, portal, member, recorder, django_capture_on_commit_callbacks
):
    membership = member.memberships.get()
    log_in(client, member)
    html = client.get("/portal/").content.decode()
    pay_url = f"/donations/membership/{membership.pk}/pay/"
    assert f'action="{pay_url}"' in html and "¥3,000" in html

    response = client.post(pay_url)

    assert response.status_code == 303
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_fee"
    checkout = CheckoutRequest.objects.get()
    assert (checkout.membership, checkout.amount_yen, checkout.frequency) == (
        membership,
        3000,
        "one_off",
    )
    [sent] = recorder.requests
    params = sent["params"]
    assert sent["path"] == "/v1/checkout/sessions"
    assert sent["headers"]["Idempotency-Key"] == f"checkout-{checkout.uuid}"
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][unit_amount]"] == "3000"
    assert params["line_items[0][price_data][product_data][name]"] == "会費 個人会員"
    # Only our references go to Stripe (no supporter id, name or message).
    assert {k: v for k, v in params.items() if k.startswith("metadata")} == {
        "metadata[checkout_request]": str(checkout.uuid),
        "metadata[membership_id]": str(membership.pk),
    }
    assert params["client_reference_id"] == str(checkout.uuid)
    assert params["customer_email"] == member.email
    assert params["success_url"] == (
        "http://testserver/portal/?membership_paid=1&session_id={CHECKOUT_SESSION_ID}"
    )
    assert params["cancel_url"] == "http://testserver/portal/"

    # Coming back from Checkout says thank you but records nothing.
    back = client.get("/portal/?membership_paid=1").content.decode()
    assert "being confirmed" in back or "確認中" in back
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING and not Donation.objects.exists()

    session = {
        "id": "cs_fee",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "amount_total": 3000,
        "currency": "jpy",
        "payment_intent": "pi_fee",
        "client_reference_id": str(checkout.uuid),
        # The member is the request's supporter, whatever address was typed at Stripe.
        "customer_details": {"email": "typed-at-stripe@example.jp"},
        "metadata": {"checkout_request": str(checkout.uuid), "membership_id": str(membership.pk)},
    }
    signed_post(client, "checkout.session.completed", session, django_capture_on_commit_callbacks)
    signed_post(  # a duplicate delivery changes nothing
        client,
        "checkout.session.completed",
        session,
        django_capture_on_commit_callbacks,
        event_id="evt_2",
    )

    [fee] = Donation.objects.all()
    assert (fee.kind, fee.amount_yen, fee.membership) == ("membership", 3000, membership)
    assert fee.supporter == member and Supporter.objects.count() == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.renews_on == membership.started_on.replace(
        year=membership.started_on.year + 1
    )


def test_members_can_only_pay_their_own_membership(client, portal, member, recorder, yearly_plan):
    other = SupporterFactory(email="other@example.jp")
    theirs = membership_start(supporter=other, plan=yearly_plan)
    assert client.post(f"/donations/membership/{theirs.pk}/pay/").status_code == 302  # no login
    log_in(client, member)
    assert client.post(f"/donations/membership/{theirs.pk}/pay/").status_code == 404
    assert client.get(f"/donations/membership/{theirs.pk}/pay/").status_code == 405
    assert recorder.requests == [] and not CheckoutRequest.objects.exists()


def test_a_paid_up_membership_offers_no_payment(client, portal, member, recorder):
    membership = member.memberships.get()
    membership.status = Membership.Status.ACTIVE
    membership.renews_on = timezone.localdate() + datetime.timedelta(days=200)
    membership.save()
    log_in(client, member)
    assert "/pay/" not in client.get("/portal/").content.decode()
    response = client.post(f"/donations/membership/{membership.pk}/pay/", follow=True)
    assert "no fee to pay" in response.content.decode() or "お支払いいただく会費はありません" in (
        response.content.decode()
    )
    assert recorder.requests == []
    # Within 30 days of renewal the next period can be paid.
    membership.renews_on = timezone.localdate() + datetime.timedelta(days=20)
    membership.save()
    assert membership.needs_payment()


def test_without_stripe_keys_the_portal_explains_and_nothing_is_created(client, portal, member):
    log_in(client, member)
    with override_settings(STRIPE_SECRET_KEY=""):
        html = client.get("/en/portal/").content.decode()
        assert "Online payment is not available yet" in html
        membership = member.memberships.get()
        response = client.post(f"/en/donations/membership/{membership.pk}/pay/", follow=True)
    assert "Online payment is not available right now" in response.content.decode()
    assert not CheckoutRequest.objects.exists()


def test_confirming_sign_up_logs_in_and_offers_the_first_fee(client, home_page, portal, member):
    join = home_page.add_child(instance=JoinPage(title="入会", slug="join"))
    join.save_revision().publish()
    secret = access_token_issue(supporter=member, purpose=AccessToken.Purpose.CONFIRM_SIGNUP)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        response = client.post(f"/join/confirm/{secret}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert client.session[SESSION_SUPPORTER] == member.pk
    assert f'action="/donations/membership/{member.memberships.get().pk}/pay/"' in html


# --- Failed monthly payment: a direct link to the Customer Portal -------------------------------


@pytest.fixture
def monthly(member):
    return RecurringDonation.objects.create(
        supporter=member,
        amount_yen=1000,
        status="active",
        stripe_subscription_id="sub_1",
        stripe_customer_id="cus_1",
    )


def failed_invoice():
    return {
        "id": "in_failed",
        "object": "invoice",
        "subscription": "sub_1",
        "customer": "cus_1",
        "attempt_count": 1,
        "amount_due": 1000,
    }


def test_failed_payment_mail_links_straight_to_the_customer_portal(
    client, portal, monthly, monkeypatch, django_capture_on_commit_callbacks
):
    signed_post(
        client, "invoice.payment_failed", failed_invoice(), django_capture_on_commit_callbacks
    )
    signed_post(  # Stripe resends the same notice: one mail, one link
        client,
        "invoice.payment_failed",
        failed_invoice(),
        django_capture_on_commit_callbacks,
        event_id="evt_2",
    )
    [message] = mail.outbox
    assert AccessToken.objects.filter(purpose=AccessToken.Purpose.BILLING).count() == 1
    link = re.search(r"http://testserver(/donations/update-card/[\w-]+/)", message.body)
    assert link, message.body
    url = link.group(1)

    page = client.get(url)  # opening the link (or a mail scanner) uses nothing up
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
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
        response = client.post(url)
        again = client.post(url)

    assert response.status_code == 303
    assert response["Location"] == "https://billing.stripe.com/p/session/bps_1"
    [sent] = recorder.requests
    assert sent["path"] == "/v1/billing_portal/sessions"
    assert sent["params"]["customer"] == "cus_1"
    assert again.status_code == 410  # single use
    assert SESSION_SUPPORTER not in client.session  # the link opens Stripe, not our portal


def test_a_card_link_survives_stripe_being_down(client, portal, monthly, monkeypatch):
    secret = access_token_issue(supporter=monthly.supporter, purpose=AccessToken.Purpose.BILLING)
    down = RecordingHTTPClient([(500, {"error": {"message": "down"}})] * 3)
    monkeypatch.setattr(stripe_api, "http_client_override", down)
    with override_settings(STRIPE_SECRET_KEY=KEY):
        assert client.post(f"/donations/update-card/{secret}/").status_code == 503
    assert client.get(f"/donations/update-card/{secret}/").status_code == 200  # still usable


def test_an_expired_card_link_is_refused(client, portal, member):
    secret = access_token_issue(supporter=member, purpose=AccessToken.Purpose.BILLING)
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(f"/donations/update-card/{secret}/").status_code == 410
    assert client.post(f"/donations/update-card/{secret}/").status_code == 410
    # A login link cannot be used as a card link.
    login = access_token_issue(supporter=member, purpose=AccessToken.Purpose.LOGIN)
    assert client.get(f"/donations/update-card/{login}/").status_code == 410


# --- Staff: a donor's totals on the supporter page ----------------------------------------------


def staff_user(django_user_model, *groups):
    user = django_user_model.objects.create_user("-".join(groups) or "nobody", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def test_finance_staff_see_donor_totals_and_gifts_in_the_timeline(
    client, django_user_model, member
):
    now = timezone.now()
    first, _ = donation_record(
        supporter=member,
        kind="one_off",
        method="card",
        amount_yen=5000,
        paid_at=now - datetime.timedelta(days=400),
        stripe_keys=StripeKeys(payment_intent_id="pi_a"),
    )
    donation_record(
        supporter=member, kind="one_off", method="bank_transfer", amount_yen=10000, paid_at=now
    )
    second, _ = donation_record(
        supporter=member,
        kind="one_off",
        method="card",
        amount_yen=3000,
        paid_at=now,
        stripe_keys=StripeKeys(payment_intent_id="pi_b"),
    )
    donation_refund(donation=second, refunded_total_yen=1000)
    RecurringDonation.objects.create(
        supporter=member, amount_yen=2000, status="past_due", stripe_subscription_id="sub_x"
    )
    RecurringDonation.objects.create(
        supporter=member, amount_yen=9000, status="cancelled", stripe_subscription_id="sub_y"
    )
    url = reverse("supporter:inspect", args=[member.pk])

    client.force_login(staff_user(django_user_model, MEMBER_STAFF, FINANCE))
    response = client.get(url)
    totals = response.context["donor_totals"]
    assert (totals.gifts, totals.gross_yen, totals.refunded_yen, totals.net_yen) == (
        3,
        18000,
        1000,
        17000,
    )
    # The first gift was over a year ago: this year is 10,000 + 3,000 − 1,000 refunded.
    assert totals.this_year_net_yen == 12000
    assert totals.monthly_yen == 2000  # the cancelled monthly gift no longer counts
    html = response.content.decode()
    assert "¥17,000" in html and "?q=kaiin@example.jp" in html
    assert [e.kind for e in response.context["timeline"]].count("donation") == 3

    client.force_login(staff_user(django_user_model, MEMBER_STAFF))
    response = client.get(url)
    assert response.status_code == 200
    assert "donor_totals" not in response.context
    assert "donation" not in [e.kind for e in response.context["timeline"]]
    assert "¥17,000" not in response.content.decode()

"""The member portal's donations section: the gift history as a table (yen, local dates), the
next payment of a monthly gift from Stripe's current shapes, and a request to change or stop a
monthly gift given without Stripe."""

import datetime
import time
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone, translation
from wagtail.models import Site

from donations.models import Donation, MonthlyGiftRequest, RecurringDonation
from donations.services import donation_record
from donations.webhooks import recurring_donation_sync
from members.models import MemberPortalPage, Supporter
from members.views.session import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
from ouendan.core.models import OrganisationSettings, OutgoingEmail
from tests.stripe_events import T0, subscription_item
from tests.stripe_events import subscription as stripe_subscription

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
PORTAL = "/portal/"


def tokyo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def supporter(db):
    return Supporter.objects.create(
        family_name="Nguyen",
        given_name="Lan",
        email="lan@example.jp",
        status=Supporter.Status.ACTIVE,
        preferred_language="en",
    )


@pytest.fixture
def portal(client, home_page, supporter):
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    session = client.session
    session[SESSION_SUPPORTER] = supporter.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()
    return client


# --- next payment ---------------------------------------------------------------------------


def test_next_payment_is_the_end_of_the_paid_period_on_the_item():
    """2026-10-28.endive: the subscription has no current_period_end; its item has. Paid on
    31 January 00:30 in Tokyo (still 30 January in UTC): next payment 28 February, Tokyo."""
    supporter = Supporter.objects.create(family_name="月", email="m@example.jp")
    start = int(tokyo(2026, 1, 31, 0, 30).timestamp())
    end = int(tokyo(2026, 2, 28, 0, 30).timestamp())
    sub = stripe_subscription(metadata={"supporter_id": str(supporter.pk)})
    assert "current_period_end" not in sub  # the current shape
    sub["items"]["data"] = [{**subscription_item(period_end=end), "current_period_start": start}]
    recurring = recurring_donation_sync(subscription=sub, as_of=timezone.now())
    assert recurring.next_payment_on == datetime.date(2026, 2, 28)


def test_next_payment_is_the_earliest_item_and_none_when_ending():
    supporter = Supporter.objects.create(family_name="月", email="m@example.jp")
    soon = int(tokyo(2026, 3, 10, 9).timestamp())
    later = int(tokyo(2026, 4, 10, 9).timestamp())
    sub = stripe_subscription(metadata={"supporter_id": str(supporter.pk)})
    sub["items"]["data"] = [subscription_item(period_end=later), subscription_item(period_end=soon)]
    sub["current_period_end"] = later  # an older shape's field, left behind: items win
    recurring = recurring_donation_sync(subscription=sub, as_of=timezone.now())
    assert recurring.next_payment_on == datetime.date(2026, 3, 10)

    ending = {**sub, "cancel_at_period_end": True}
    recurring = recurring_donation_sync(
        subscription=ending, as_of=timezone.now() + datetime.timedelta(seconds=5)
    )
    assert recurring.next_payment_on is None


def test_the_older_shape_still_gives_the_next_payment():
    supporter = Supporter.objects.create(family_name="月", email="m@example.jp")
    sub = stripe_subscription(metadata={"supporter_id": str(supporter.pk)})
    for item in sub["items"]["data"]:
        item.pop("current_period_end")
    sub["current_period_end"] = T0 + 30 * 86400
    recurring = recurring_donation_sync(subscription=sub, as_of=timezone.now())
    expected = datetime.datetime.fromtimestamp(T0 + 30 * 86400, tz=TOKYO).date()
    assert recurring.next_payment_on == expected


def test_portal_shows_the_next_payment_date(portal, supporter):
    RecurringDonation.objects.create(
        supporter=supporter,
        stripe_subscription_id="sub_x",
        stripe_customer_id="cus_x",
        amount_yen=1000,
        status=RecurringDonation.Status.ACTIVE,
        next_payment_on=datetime.date(2026, 2, 28),
    )
    html = portal.get("/en" + PORTAL).content.decode().replace("<wbr>", "")
    assert "next payment on 28 February 2026" in html
    japanese = portal.get(PORTAL).content.decode().replace("<wbr>", "")
    assert "2026年2月28日" in japanese


# --- gift history ---------------------------------------------------------------------------


def test_gift_history_is_a_table_with_yen_and_local_dates(portal, supporter):
    # 1 April 2026 at 08:00 in Tokyo is still 31 March in UTC: the table shows the Tokyo day.
    donation_record(
        supporter=supporter,
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=12345,
        paid_at=tokyo(2026, 4, 1, 8, 0),
    )
    html = portal.get("/en" + PORTAL).content.decode().replace("<wbr>", "")
    table = html[html.index('<table class="data-table gift-history" data-stack>') :]
    table = table[: table.index("</table>")]
    assert '<th scope="col">Date</th>' in table
    assert '<th scope="row"><time datetime="2026-04-01T08:00:00+09:00">1 April 2026</time>' in (
        table
    )
    assert '<td class="numeric">¥12,345</td>' in table
    assert "Bank transfer" in table
    assert '<th scope="row">Year 2026</th><td class="numeric">¥12,345</td>' in html


# --- monthly gift without Stripe ------------------------------------------------------------


def _offline_monthly(supporter, days_ago=20):
    return donation_record(
        supporter=supporter,
        kind=Donation.Kind.MONTHLY,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=3000,
        paid_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def staff_address(home_page):
    settings = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    settings.email = "office@sakurano.example.jp"
    settings.save()
    return settings.email


def test_offline_monthly_donor_can_ask_to_change_the_amount(
    portal, supporter, staff_address, django_capture_on_commit_callbacks
):
    _offline_monthly(supporter)
    html = portal.get("/en" + PORTAL).content.decode()
    assert 'action="/en/donations/monthly-gift/request/"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(
            "/en/donations/monthly-gift/request/",
            {
                "monthly-action": "change_amount",
                "monthly-amount_yen": "5000",
                "monthly-message": "",
            },
        )
    assert response.status_code == 302
    request = MonthlyGiftRequest.objects.get()
    assert (request.supporter, request.action, request.amount_yen) == (
        supporter,
        "change_amount",
        5000,
    )
    staff_mail = OutgoingEmail.objects.get(key=f"monthly-gift-request:{request.pk}")
    assert staff_mail.to == staff_address
    assert staff_mail.category == OutgoingEmail.Category.MONEY
    assert "¥5,000" in staff_mail.body and "Nguyen" in staff_mail.body
    assert [m.to for m in mail.outbox] == [[staff_address]]
    page = portal.get(response["Location"]).content.decode()
    with translation.override("en"):
        assert "We have received your request" in page


def test_a_change_without_an_amount_is_refused_and_nothing_is_recorded(portal, supporter):
    _offline_monthly(supporter)
    response = portal.post(
        "/en/donations/monthly-gift/request/", {"monthly-action": "change_amount"}, follow=True
    )
    assert "Enter the new monthly amount." in response.content.decode()
    assert not MonthlyGiftRequest.objects.exists()


def test_stop_is_recorded_without_an_amount(portal, supporter, staff_address):
    _offline_monthly(supporter)
    portal.post(
        "/donations/monthly-gift/request/",
        {"monthly-action": "stop", "monthly-amount_yen": "5000"},
    )
    assert MonthlyGiftRequest.objects.get().amount_yen is None


def test_only_recent_offline_monthly_donors_are_offered_the_request(portal, supporter):
    assert "monthly-gift/request" not in portal.get(PORTAL).content.decode()
    _offline_monthly(supporter, days_ago=200)  # stopped long ago
    assert "monthly-gift/request" not in portal.get(PORTAL).content.decode()
    response = portal.post("/donations/monthly-gift/request/", {"monthly-action": "stop"})
    assert response.status_code == 302 and not MonthlyGiftRequest.objects.exists()


def test_logged_out_visitors_cannot_send_a_request(client, home_page, supporter):
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    _offline_monthly(supporter)
    response = client.post("/donations/monthly-gift/request/", {"monthly-action": "stop"})
    assert response.status_code == 302 and response["Location"] == PORTAL
    assert not MonthlyGiftRequest.objects.exists()

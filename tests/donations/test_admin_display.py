"""Money screens read as Finance expect: yen right-aligned with totals of the current filter, the
donor's name opening the gift, local time, no None/True/False or raw codes."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from donations.models import Donation, RecurringDonation, StripeEvent
from donations.services import donation_record
from members.groups import FINANCE
from tests.display_checks import assert_no_raw_values, main_text
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MOMENT = datetime.datetime(2026, 11, 30, 0, 2, tzinfo=UTC)  # 2026年11月30日 9:02 in Japan


@pytest.fixture
def finance(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    return client


def gift(supporter, amount, method=Donation.Method.BANK_TRANSFER, paid_at=MOMENT, **kwargs):
    donation, _created = donation_record(
        supporter=supporter,
        kind=kwargs.pop("kind", Donation.Kind.ONE_OFF),
        method=method,
        amount_yen=amount,
        paid_at=paid_at,
        **kwargs,
    )
    return donation


def test_ledger_shows_yen_right_aligned_local_time_and_the_donor_opens_the_gift(finance):
    hanako = SupporterFactory(family_name="山田", given_name="花子")
    donation = gift(hanako, 3000)

    page = finance.get("/admin/donation/").content.decode()

    text = assert_no_raw_values(page, "bank_transfer", "one_off")
    assert "¥3,000" in text and "2026年11月30日 9:02" in text
    assert re.search(r'<td class="ouendan-num">\s*¥3,000', page)
    # The row's link is the donor's name, to the gift's detail; the date is plain text.
    link = re.search(
        rf'<a href="/admin/donation/inspect/{donation.pk}/"[^>]*>\s*([^<]+?)\s*<', page
    )
    assert link and link.group(1) == str(hanako)


def test_ledger_totals_follow_the_filter_in_one_query(finance, django_assert_max_num_queries):
    donor = SupporterFactory()
    gift(donor, 3000)
    gift(donor, 50000)
    gift(donor, 7000, method=Donation.Method.CASH)

    everything = main_text(finance.get("/admin/donation/").content.decode())
    transfers = main_text(
        finance.get("/admin/donation/", {"method": "bank_transfer"}).content.decode()
    )
    cash = finance.get("/admin/donation/results/", {"method": "cash"}).content.decode()

    assert "¥60,000" in everything  # 3,000 + 50,000 + 7,000
    assert "¥53,000" in transfers and "¥60,000" not in transfers
    assert "data-filter-totals" in cash and "¥7,000" in main_text(cash)


def test_gift_detail_and_monthly_gift_screens_show_no_raw_values(finance):
    donor = SupporterFactory(email="")
    donation = gift(donor, 3000)  # no campaign, no note, no Stripe ids
    monthly = RecurringDonation.objects.create(
        supporter=donor,
        amount_yen=1000,
        stripe_subscription_id="sub_display",
        started_at=MOMENT,
        next_payment_on=None,
    )

    detail = finance.get(f"/admin/donation/inspect/{donation.pk}/").content.decode()
    text = assert_no_raw_values(detail, "bank_transfer", "one_off")
    assert "2026年11月30日 9:02" in text and "¥3,000" in text

    listing = finance.get("/admin/recurringdonation/").content.decode()
    assert "¥1,000" in assert_no_raw_values(listing)
    monthly_detail = finance.get(f"/admin/recurringdonation/inspect/{monthly.pk}/")
    assert "2026年11月30日 9:02" in assert_no_raw_values(monthly_detail.content.decode())


def test_stripe_events_show_local_time_yes_no_and_readable_payload(finance):
    event = StripeEvent.objects.create(
        stripe_id="evt_display",
        type="invoice.paid",
        stripe_created=MOMENT,
        livemode=False,
        payload={"id": "evt_display", "data": {"object": {"paid": True}}},
        received_at=MOMENT,
    )

    listing = finance.get("/admin/stripeevent/").content.decode()
    assert "2026年11月30日 9:02" in assert_no_raw_values(listing)
    detail = finance.get(f"/admin/stripeevent/inspect/{event.pk}/").content.decode()
    # The payload is shown as indented JSON (true stays JSON's own word); outside it, no raw.
    payload = re.search(r'<pre class="ouendan-json">.*?</pre>', detail, flags=re.S)
    assert payload and "&quot;paid&quot;: true" in payload.group(0)
    text = assert_no_raw_values(detail.replace(payload.group(0), ""))
    assert "いいえ" in text  # live mode: no
    assert timezone.localtime(MOMENT).hour == 9

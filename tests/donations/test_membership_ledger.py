"""Membership fees are in the money ledger: every recorded fee is a MEMBERSHIP ledger row that
extends its membership, never counts for a campaign or a programme, gets no 寄附金受領証明書,
and shows up as membership-fee revenue on the funding dashboard."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from donations.effects import donation_effects_run
from donations.fees import membership_fee_record
from donations.funding.programmes import revenue_by_programme
from donations.funding.selectors import revenue_by_source
from donations.models import Donation, Programme
from donations.receipts.selectors import receipt_eligible_gifts
from donations.services import donation_record, donation_update
from members.models import Membership, MembershipPlan
from members.registry import fee_payment_record
from members.services import membership_start
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db

JST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def membership():
    plan = MembershipPlan.objects.create(
        name="個人会員", period=MembershipPlan.Period.YEAR, amount_yen=3000
    )
    return membership_start(supporter=SupporterFactory(), plan=plan)


def test_a_fee_recorded_through_the_members_registry_is_a_ledger_row(membership):
    paid_at = datetime.datetime(2026, 4, 10, 10, 0, tzinfo=JST)

    donation = fee_payment_record(membership=membership, paid_at=paid_at, note="振込")

    assert Donation.objects.count() == 1
    assert (donation.kind, donation.amount_yen, donation.membership_id) == (
        Donation.Kind.MEMBERSHIP,
        3000,
        membership.pk,
    )
    assert donation.method == Donation.Method.BANK_TRANSFER
    assert donation.supporter_id == membership.supporter_id
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.last_paid_at == paid_at
    assert membership.renews_on == datetime.date(2027, 4, 10)
    # ...and the dashboard counts it as membership-fee revenue in April.
    april = revenue_by_source(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 4, 1))
    assert april[0].membership_fees == 3000 and april[0].one_off_gifts == 0


def test_a_fee_never_counts_for_a_campaign_or_a_programme(membership, home_page):
    programme = Programme.objects.create(name_ja="フードバンク")
    donation, _ = donation_record(
        supporter=membership.supporter,
        kind=Donation.Kind.MEMBERSHIP,
        method=Donation.Method.CASH,
        amount_yen=3000,
        paid_at=timezone.now(),
        campaign_id=home_page.pk,
        programme_id=programme.pk,
        membership=membership,
    )
    assert donation.campaign_id is None and donation.programme_id is None

    # A staff correction that turns a gift into a fee drops its campaign and programme too.
    gift, _ = donation_record(
        supporter=membership.supporter,
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.CASH,
        amount_yen=1000,
        paid_at=timezone.now(),
        campaign_id=home_page.pk,
        programme_id=programme.pk,
    )
    gift = donation_update(
        donation=gift,
        supporter=gift.supporter,
        kind=Donation.Kind.MEMBERSHIP,
        method=gift.method,
        amount_yen=1000,
        paid_at=gift.paid_at,
        campaign_id=home_page.pk,
        programme_id=programme.pk,
    )
    assert gift.campaign_id is None and gift.programme_id is None
    # Gifts by programme leave fees out.
    month = timezone.localdate().replace(day=1)
    assert sum(row.amount_yen for row in revenue_by_programme(start=month, end=month)) == 0


def test_fees_are_not_on_donation_receipts(membership):
    fee = membership_fee_record(membership=membership, paid_at=timezone.now())
    gift, _ = donation_record(
        supporter=membership.supporter,
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.CASH,
        amount_yen=5000,
        paid_at=timezone.now(),
    )
    eligible = set(receipt_eligible_gifts().values_list("pk", flat=True))
    assert gift.pk in eligible and fee.pk not in eligible


def test_a_fee_is_thanked_as_a_membership_not_as_a_gift(membership, home_page):
    from campaigns.models import ThankYouKind, ThankYouLog  # why: the thank-you is campaigns'

    fee = membership_fee_record(membership=membership, paid_at=timezone.now())
    donation_effects_run(donation_id=fee.pk)
    kinds = list(ThankYouLog.objects.values_list("kind", flat=True))
    assert kinds == [ThankYouKind.MEMBERSHIP_JOINED]
    assert not Donation.objects.filter(campaign__isnull=False).exists()
    assert Donation.objects.filter(amount_yen__gt=F("refunded_yen")).count() == 1

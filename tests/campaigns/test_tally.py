"""Kept campaign progress (campaigns/tally.py): a page reads one row instead of aggregating the
ledger, and no ledger change leaves that row stale — a gift or refund saved through the ORM drops
it in its own transaction, the ledger's events compute it again after the commit, a view never
overwrites a row, a merge of two donors recounts, and a bulk load is repaired by a rebuild."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from campaigns.selectors import campaign_progress
from campaigns.services import campaign_progress_invalidate
from campaigns.tally import CampaignTally, tallies_compute, tallies_rebuild
from donations.models import Donation
from donations.services import donation_refund
from members.merge import supporter_merge
from tests.campaigns.factories import campaign_gift
from tests.members.factories import SupporterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_cache")]


@pytest.fixture
def no_cache():
    # The page and progress caches off: what a visitor gets just after a gift.
    with override_settings(CAMPAIGNS_CACHE_SECONDS=0):
        yield


def kept(campaign):
    row = CampaignTally.objects.filter(translation_key=campaign.translation_key).first()
    return row and (row.raised_yen, row.donors, row.gifts)


def progress(campaign):
    p = campaign_progress(campaign=campaign)
    return (p.raised_yen, p.donor_count, p.gift_count)


def test_a_view_computes_the_row_once_then_reads_it_in_one_query(campaign):
    donor = SupporterFactory()
    campaign_gift(donor, campaign, 5_000)
    assert kept(campaign) is None
    assert progress(campaign) == (5_000, 1, 1)
    assert kept(campaign) == (5_000, 1, 1)
    with CaptureQueriesContext(connection) as queries:
        assert progress(campaign) == (5_000, 1, 1)
    assert len(queries) == 1
    assert "donations_donation" not in queries[0]["sql"]


def test_every_gift_refund_and_deletion_through_the_orm_shows_at_once(campaign):
    first, second = SupporterFactory(), SupporterFactory()
    gift = campaign_gift(first, campaign, 10_000)
    assert progress(campaign) == (10_000, 1, 1)
    campaign_gift(second, campaign, 3_000)
    assert progress(campaign) == (13_000, 2, 2)
    donation_refund(donation=gift, refunded_total_yen=10_000)
    assert progress(campaign) == (3_000, 1, 1)
    Donation.objects.get(supporter=second).delete()
    assert progress(campaign) == (0, 0, 0)


def test_a_save_of_other_fields_keeps_the_row(campaign):
    gift = campaign_gift(SupporterFactory(), campaign, 4_000)
    progress(campaign)
    gift.message = "応援しています"
    gift.save(update_fields=["message"])
    assert kept(campaign) == (4_000, 1, 1)
    gift.amount_yen = 6_000
    gift.save(update_fields=["amount_yen"])
    assert kept(campaign) is None
    assert progress(campaign) == (6_000, 1, 1)


def test_a_view_never_overwrites_the_row_an_event_stored(campaign):
    campaign_gift(SupporterFactory(), campaign, 2_000)
    key = str(campaign.translation_key)
    # An event's receiver stored this total (say, with a gift the view's snapshot lacks).
    CampaignTally.objects.create(translation_key=key, raised_yen=9_000, donors=3, gifts=3)
    assert tallies_compute([key], replace=False) == {key: (2_000, 1, 1)}  # what it computed
    assert kept(campaign) == (9_000, 3, 3)  # but not stored over the event's row
    assert progress(campaign) == (9_000, 3, 3)
    campaign_progress_invalidate(campaign_id=campaign.pk)  # the ledger's event: fresh again
    assert kept(campaign) == (2_000, 1, 1)


def test_a_queryset_refund_is_fixed_by_its_event(campaign):
    gift = campaign_gift(SupporterFactory(), campaign, 8_000)
    progress(campaign)
    # The webhook's refund path updates the row without save(); gift_refunded follows it.
    Donation.objects.filter(pk=gift.pk).update(refunded_yen=8_000)
    campaign_progress_invalidate(campaign_id=campaign.pk)
    assert progress(campaign) == (0, 0, 0)


def test_merging_two_donors_counts_them_once(campaign, django_capture_on_commit_callbacks):
    survivor, duplicate = SupporterFactory(), SupporterFactory()
    campaign_gift(survivor, campaign, 1_000)
    campaign_gift(duplicate, campaign, 2_000)
    assert progress(campaign) == (3_000, 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    assert kept(campaign) == (3_000, 1, 2)
    assert progress(campaign) == (3_000, 1, 2)


def test_a_bulk_load_is_repaired_by_a_rebuild(campaign):
    donor = SupporterFactory()
    campaign_gift(donor, campaign, 1_000)
    progress(campaign)
    Donation.objects.bulk_create(  # no signals: the kept row does not know
        [
            Donation(
                supporter=donor,
                kind=Donation.Kind.ONE_OFF,
                method=Donation.Method.CASH,
                amount_yen=500,
                paid_at=timezone.now(),
                campaign_id=campaign.pk,
            )
            for _ in range(4)
        ]
    )
    assert progress(campaign) == (1_000, 1, 1)
    assert tallies_rebuild() == 1
    assert progress(campaign) == (3_000, 1, 5)

"""Campaigns' merge mover (campaigns/merge.py): thank-you log and bulk thank-you recipients."""

import pytest

from campaigns.merge import campaigns_merge_move
from campaigns.models import ThankYouBatch, ThankYouBatchRecipient, ThankYouKind, ThankYouLog
from members.merge import merge_movers, supporter_merge
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_registered_with_the_money_permission():
    mover = next(m for m in merge_movers if m.move is campaigns_merge_move)
    assert mover.permission == "donations.view_donation"


def test_thank_yous_move_and_a_shared_batch_row_stays_on_the_stub():
    survivor, duplicate = SupporterFactory(), SupporterFactory()
    kind = ThankYouKind.choices[0][0]
    ThankYouLog.objects.create(
        kind=kind, object_key="donation:1", supporter=duplicate, status="queued"
    )
    shared = ThankYouBatch.objects.create(subject="s", body="b")
    alone = ThankYouBatch.objects.create(subject="s2", body="b2")
    ThankYouBatchRecipient.objects.create(batch=shared, supporter=survivor)
    kept = ThankYouBatchRecipient.objects.create(batch=shared, supporter=duplicate)
    moved = ThankYouBatchRecipient.objects.create(batch=alone, supporter=duplicate)
    counts = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None).counts()
    assert counts["campaigns.thankyoulog"] == 1
    assert counts["campaigns.thankyoubatchrecipient"] == 1
    kept.refresh_from_db()
    moved.refresh_from_db()
    assert kept.supporter == duplicate and moved.supporter == survivor
    assert ThankYouLog.objects.get().supporter == survivor

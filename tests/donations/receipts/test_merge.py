"""Receipts' merge mover (donations/receipts/merge.py), and the one unique constraint a merge
cannot settle by itself: one issued annual certificate per donor and year."""

import pytest
from django.core.exceptions import ValidationError

from donations.models import Donation
from donations.receipts.merge import receipts_merge_move
from donations.receipts.models import Receipt
from donations.receipts.services import receipt_issue_annual, receipt_issue_for_donation
from members.merge import merge_movers, supporter_merge
from members.models import Supporter
from tests.donations.receipts.factories import at, donor, gift

pytestmark = pytest.mark.django_db


def test_registered_with_the_money_permission():
    mover = next(m for m in merge_movers if m.move is receipts_merge_move)
    assert mover.permission == "donations.view_donation"


def test_receipts_move_unchanged():
    survivor, duplicate = donor(), donor(given_name="はなこ")
    receipt, _ = receipt_issue_for_donation(donation=gift(duplicate, 5000))
    counts = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None).counts()
    assert counts["receipts.receipt"] == 1
    receipt.refresh_from_db()
    assert receipt.supporter == survivor and receipt.donor_name  # the printed snapshot stays


def test_two_certificates_for_one_year_refuse_the_whole_merge():
    survivor, duplicate = donor(), donor(given_name="はなこ")
    gift(survivor, 1000, paid_at=at(2025, 2, 1))
    gift(duplicate, 2000, paid_at=at(2025, 3, 1))
    receipt_issue_annual(supporter=survivor, year=2025, render=False)
    receipt_issue_annual(supporter=duplicate, year=2025, render=False)
    with pytest.raises(ValidationError, match="2025"):
        supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    # Nothing moved, not even the rows of the movers that ran before.
    assert Donation.objects.filter(supporter=duplicate).count() == 1
    assert Receipt.objects.filter(supporter=duplicate).count() == 1
    duplicate.refresh_from_db()
    assert duplicate.status == Supporter.Status.ACTIVE and duplicate.merged_into is None

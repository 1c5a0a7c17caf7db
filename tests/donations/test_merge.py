"""The ledger's merge mover (donations/merge.py): gifts, monthly gifts and checkout requests."""

import pytest
from django.urls import reverse

from donations.merge import donations_merge_move
from donations.models import CheckoutRequest, Donation, RecurringDonation
from members.groups import FINANCE
from members.merge import merge_movers, supporter_merge
from tests.donations.receipts.factories import gift, monthly
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_registered_with_the_money_permission():
    mover = next(m for m in merge_movers if m.move is donations_merge_move)
    assert mover.permission == "donations.view_donation"


def test_gifts_and_monthly_gifts_move_with_counts():
    survivor, duplicate = SupporterFactory(), SupporterFactory()
    gift(survivor, 1000)
    gift(duplicate, 3000)
    gift(duplicate, 5000)
    monthly(duplicate, 2000, [gift(duplicate, 1).paid_at])
    result = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    counts = result.counts()
    assert counts["donations.donation"] == 4  # three gifts and the monthly gift's payment
    assert counts["donations.recurringdonation"] == 1
    assert counts["donations.checkoutrequest"] == 0
    assert Donation.objects.filter(supporter=survivor).count() == 5
    assert not Donation.objects.filter(supporter=duplicate).exists()
    assert RecurringDonation.objects.get().supporter == survivor
    assert not CheckoutRequest.objects.filter(supporter=duplicate).exists()


def test_record_a_gift_link_preselects_the_donor(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("kaikei", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    supporter = SupporterFactory()
    response = client.get(reverse("donation:add") + f"?supporter={supporter.pk}")
    assert response.context["form"].initial["supporter"] == supporter

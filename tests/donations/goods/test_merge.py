"""Goods' merge mover (donations/goods/merge.py): pledges and the corporate wall entry."""

import pytest

from donations.goods.merge import goods_merge_move
from donations.goods.models import CorporateWallEntry, Pledge
from members.merge import merge_movers, supporter_merge
from tests.donations.goods.factories import CompanyFactory, PledgeLineFactory

pytestmark = pytest.mark.django_db


def test_registered_for_everyone_who_may_merge():
    mover = next(m for m in merge_movers if m.move is goods_merge_move)
    assert mover.permission is None  # Member staff manage goods


def test_pledges_move_and_the_wall_entry_follows_when_the_survivor_has_none():
    survivor, duplicate = CompanyFactory(), CompanyFactory()
    PledgeLineFactory(pledge__supporter=duplicate)
    PledgeLineFactory(pledge__supporter=duplicate)
    entry = CorporateWallEntry.objects.create(supporter=duplicate, display_name="さくら食品")
    counts = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None).counts()
    assert counts["goods.pledge"] == 2 and counts["goods.corporatewallentry"] == 1
    assert Pledge.objects.filter(supporter=survivor).count() == 2
    entry.refresh_from_db()
    assert entry.supporter == survivor


def test_one_wall_entry_per_company_the_survivors_is_kept():
    survivor, duplicate = CompanyFactory(), CompanyFactory()
    ours = CorporateWallEntry.objects.create(supporter=survivor, display_name="ours")
    CorporateWallEntry.objects.create(supporter=duplicate, display_name="theirs")
    counts = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None).counts()
    assert counts["goods.corporatewallentry"] == 0
    assert list(CorporateWallEntry.objects.all()) == [ours]

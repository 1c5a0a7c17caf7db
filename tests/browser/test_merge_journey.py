"""Member staff merge two records of one person in the admin: the supporter chooser, the
confirm screen side by side, then the survivor holds the other record's gifts and pledges."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from donations.goods.models import Pledge
from donations.models import Donation
from members.groups import MEMBER_STAFF
from members.models import Supporter
from tests.donations.goods.factories import PledgeLineFactory
from tests.donations.receipts.factories import gift
from tests.members.factories import SupporterFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_member_staff_merge_two_records(live_server, page, screenshot, django_user_model):
    staff = django_user_model.objects.create_user("kaiin", password="pw-kaiin")
    staff.groups.add(Group.objects.get(name=MEMBER_STAFF))
    survivor = SupporterFactory(
        family_name="山田", given_name="花子", family_name_kana="ヤマダ", given_name_kana="ハナコ"
    )
    duplicate = SupporterFactory(
        family_name="山田",
        given_name="はなこ",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        email="hanako.old@example.jp",
        postal_code="100-0001",
    )
    gift(duplicate, 5000)
    gift(duplicate, 3000)
    PledgeLineFactory(pledge__supporter=duplicate)

    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("kaiin")
    page.locator("#id_password").fill("pw-kaiin")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(live_server.url + f"/admin/supporter/inspect/{duplicate.pk}/")
    page.locator(f"[data-summary-actions] a[href$='/supporter/merge/{duplicate.pk}/']").click()
    # The supporter chooser: pick the record that stays (the merged one is not offered).
    # The empty chooser's own button (its "choose another" twin sits in a hidden dropdown).
    page.locator("main .chooser__choose-button").click()
    modal = page.locator(".modal")
    expect(modal.get_by_role("link", name=survivor.display_name)).to_be_visible()
    modal.get_by_role("link", name=survivor.display_name).click()
    # The chosen record is named with its e-mail, so two 山田 花子 are told apart.
    chosen = page.locator("main [data-chooser-title]")
    expect(chosen).to_contain_text(survivor.display_name)
    expect(chosen).to_contain_text(survivor.email)
    page.locator("main form button[type=submit]").click()

    # The confirm screen: both records side by side, what moves (no money for Member staff).
    columns = page.locator("[data-merge-columns] section")
    expect(columns).to_have_count(2)
    expect(columns.nth(0)).to_contain_text(survivor.email)
    expect(columns.nth(1)).to_contain_text("hanako.old@example.jp")
    expect(page.locator("[data-merge-moved]")).to_contain_text(
        str(Pledge._meta.verbose_name_plural)
    )
    screenshot("confirm")
    page.locator("[data-merge-confirm]").click()

    expect(page).to_have_url(re.compile(rf"/admin/supporter/inspect/{survivor.pk}/$"))
    expect(page.locator("[data-summary-name]")).to_contain_text("山田 花子")
    page.locator("[data-raw-fields] summary").click()
    expect(page.locator("[data-raw-fields]")).to_contain_text("100-0001")  # filled in
    screenshot("supporter-page")  # test-results/, beside the other journeys' screenshots

    assert Donation.objects.filter(supporter=survivor).count() == 2
    assert Pledge.objects.get().supporter_id == survivor.pk
    duplicate.refresh_from_db()
    assert duplicate.status == Supporter.Status.MERGED and duplicate.merged_into_id == survivor.pk

    # The pledge list names the survivor; the merged record is gone from the supporter list.
    page.goto(live_server.url + "/admin/pledge/")
    expect(page.locator("main table")).to_contain_text("山田 花子")
    page.goto(live_server.url + "/admin/supporter/")
    expect(page.locator("main table")).not_to_contain_text("山田 はなこ")
    assert page.console_errors == []
    assert page.foreign_requests == []

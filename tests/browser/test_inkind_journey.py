"""A company pledges goods on the public page; staff accept it in the admin and record the
delivery; the company gets exactly one thank-you e-mail per event."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import expect

from donations.goods.models import Delivery, Pledge, PledgePage
from members.groups import MEMBER_STAFF
from members.models import Supporter
from ouendan.core.models import OutgoingEmail

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_pledge_accept_deliver_and_thank_once(
    live_server, home_page, page, screenshot, django_user_model
):
    pledge_page = PledgePage(title="物品のご寄付", slug="goods")
    home_page.add_child(instance=pledge_page)
    pledge_page.save_revision().publish()
    staff = django_user_model.objects.create_user("soko", password="pw-soko")
    staff.groups.add(Group.objects.get(name=MEMBER_STAFF))

    # --- The company's side: the public form, without JavaScript help.
    page.goto(live_server.url + "/goods/")
    expect(page.get_by_role("heading", level=1)).to_have_text("物品のご寄付")
    person_section = page.locator(".pledge-form .section--person")
    expect(person_section).to_be_hidden()  # organisation is the default (CSS only)
    page.locator("#id_goods-0-category").select_option("food")
    page.locator("#id_goods-0-description").fill("お米 5kg袋")
    page.locator("#id_goods-0-quantity").fill("120")
    page.locator("#id_goods-0-unit").select_option("kg")
    page.locator("#id_goods-0-estimated_value_yen").fill("48000")
    best_before = timezone.localdate() + datetime.timedelta(days=180)
    page.locator("#id_goods-0-best_before").fill(best_before.isoformat())
    page.locator("#id_organisation_name").fill("さくら食品株式会社")
    page.locator("#id_organisation_name_kana").fill("さくらしょくひん")
    page.locator("#id_contact_person").fill("佐藤 一郎")
    page.locator("#id_email").fill("sato@sakura-foods.example.jp")
    page.locator("#id_privacy_policy").check()
    screenshot("pledge-form")
    page.locator("form.pledge-form button[name=send]").click()

    expect(page).to_have_url(live_server.url + "/goods/thanks/")
    pledge = Pledge.objects.get()
    assert pledge.state == "offered"
    assert pledge.supporter.status == Supporter.Status.PENDING  # double opt-in under way

    # --- Staff: log in, accept, record the delivery.
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("soko")
    page.locator("#id_password").fill("pw-soko")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(live_server.url + "/admin/pledge/")
    page.get_by_role("link", name="さくら食品株式会社").click()
    expect(page).to_have_url(re.compile(rf"/admin/pledge/inspect/{pledge.pk}/$"))
    page.locator(f"[data-pledge-actions] a[href$='/action/{pledge.pk}/accept/']").click()
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/admin/pledge/inspect/{pledge.pk}/$"))
    pledge.refresh_from_db()
    assert pledge.state == "accepted"

    page.locator(f"[data-pledge-actions] a[href$='/deliver/{pledge.pk}/']").click()
    page.locator("#id_received_by").fill("倉庫 田中")
    page.locator("#id_received-0-quantity").fill("120")
    screenshot("delivery-form")
    page.locator("[data-delivery-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/admin/pledge/inspect/{pledge.pk}/$"))
    expect(page.locator("[data-certificate]").first).to_be_visible()
    screenshot("pledge-fulfilled")

    pledge.refresh_from_db()
    assert pledge.state == "fulfilled"
    delivery = Delivery.objects.get()
    thanks = OutgoingEmail.objects.filter(
        Q(key__startswith="inkind:") | Q(key__startswith="thanks:inkind_delivery:")
    )
    assert sorted(thanks.values_list("key", flat=True)) == sorted(
        [f"inkind:accepted:{pledge.pk}", f"thanks:inkind_delivery:delivery:{delivery.pk}"]
    )
    assert set(thanks.values_list("to", flat=True)) == {"sato@sakura-foods.example.jp"}
    assert page.console_errors == []
    assert page.foreign_requests == []

"""A volunteer joins, confirms the e-mail (which opens the portal), later logs in by link and
edits the profile."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from members.models import JoinPage, MemberPortalPage, Skill, Supporter
from ouendan.core.models import OutgoingEmail
from tests.outbox_helpers import sent_body

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def link_in_latest_email(to: str, pattern: str) -> str:
    body = sent_body(OutgoingEmail.objects.filter(to=to).latest("pk"))
    return re.search(rf"https?://\S+{pattern}[\w-]+/", body).group(0)


def test_join_confirm_log_in_and_edit_profile(live_server, home_page, page, screenshot):
    cache.clear()  # rate limits count in this process's local-memory cache
    home_page.add_child(instance=JoinPage(title="入会・ボランティア登録", slug="join"))
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    Skill.objects.create(name="調理")

    page.goto(live_server.url + "/join/")
    expect(page.get_by_role("heading", level=1)).to_have_text("入会・ボランティア登録")
    volunteering = page.locator(".section--volunteer")
    expect(volunteering).to_be_hidden()  # shown only for volunteers (CSS, no script)
    page.locator("input[name=kind][value=volunteer]").check()
    expect(volunteering).to_be_visible()

    page.locator("#id_family_name").fill("山田")
    page.locator("#id_given_name").fill("花子")
    page.locator("#id_family_name_kana").fill("やまだ")
    page.locator("#id_given_name_kana").fill("はなこ")
    page.locator("#id_email").fill("hanako@example.jp")
    page.locator("#id_phone").fill("090-1234-5678")
    page.locator("#id_postal_code").press_sequentially("1000001")
    # postal-code.js asks the site's offline lookup and fills the address.
    expect(page.locator("#id_prefecture")).to_have_value("東京都")
    expect(page.locator("#id_city")).to_have_value("千代田区")
    expect(page.locator("#id_address_line")).to_have_value("千代田")
    expect(page.locator("#id_postal_code")).to_have_value("100-0001")
    page.locator("#id_address_line").fill("千代田1-1")
    page.locator("input[name=availability][value=sat-am]").check()
    page.get_by_label("調理").check()
    page.locator("#id_privacy_policy").check()
    screenshot("join-form")
    page.locator("form.join-form button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/join/thanks/")
    supporter = Supporter.objects.get()
    assert supporter.status == Supporter.Status.PENDING
    assert supporter.family_name_kana == "ヤマダ" and supporter.is_volunteer
    assert supporter.volunteer_profile.availability == ["sat-am"]

    page.goto(link_in_latest_email("hanako@example.jp", "/join/confirm/"))
    page.locator("main form button[type=submit]").click()
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE
    page.locator("main a.button[href='/portal/']").click()

    # Confirming proved the address, so the new member is already in the portal.
    expect(page).to_have_url(live_server.url + "/portal/")
    expect(page.locator(".profile-name")).to_contain_text("山田 花子")
    page.locator("form[action='/portal/logout/'] button").click()

    # Next time: log in with an e-mail link.
    page.locator("#id_email").fill("hanako@example.jp")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/portal/login/sent/")

    page.goto(link_in_latest_email("hanako@example.jp", "/portal/login/"))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/portal/")
    expect(page.locator(".profile-name")).to_contain_text("山田 花子")
    screenshot("portal")

    page.locator("main a[href='/portal/profile/']").click()
    page.locator("#id_phone").fill("０８０ １１１１ ２２２２")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/portal/")
    expect(page.locator(".profile-phone")).to_have_text("080-1111-2222")
    expect(page.locator(".notice")).to_be_visible()
    screenshot("portal-after-edit")

    page.locator("form[action='/portal/logout/'] button").click()
    expect(page.locator("#id_email")).to_be_visible()

    assert page.foreign_requests == []
    assert page.console_errors == []  # nothing blocked by the Content-Security-Policy

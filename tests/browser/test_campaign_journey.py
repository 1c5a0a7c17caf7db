"""A visitor gives to an active campaign; staff publish a campaign through the review workflow."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import GroupPagePermission, Site, WorkflowState
from wagtail.users.models import UserProfile

from campaigns.models import CampaignIndexPage, CampaignPage
from campaigns.workflow_names import CAMPAIGN_REVIEW
from donations import stripe_api
from donations.models import CheckoutRequest, DonatePage, Donation
from members.groups import EDITORS
from tests.members.factories import SupporterFactory
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_campaign"


def _campaign_tree(*, live=True):
    home = Site.objects.get(is_default_site=True).root_page
    donate = DonatePage(title="寄付する", slug="donate")
    home.add_child(instance=donate)
    donate.save_revision().publish()
    index = CampaignIndexPage(title="キャンペーン", slug="campaigns")
    home.add_child(instance=index)
    index.save_revision().publish()
    today = timezone.localdate()
    campaign = CampaignPage(
        title="夏休みの食支援",
        slug="summer",
        summary="給食のない夏休みに、お昼ごはんを届けます。",
        goal_yen=200_000,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=12),
        donate=[
            (
                "donate",
                {
                    "heading": "一回のご寄付",
                    "text": "",
                    "page": donate,
                    "frequency": "one_off",
                    "amounts": [3000, 5000],
                },
            )
        ],
        live=live,
    )
    index.add_child(instance=campaign)
    if live:
        campaign.save_revision().publish()
    return campaign


def test_visitor_sees_progress_and_starts_a_donation(live_server, page, screenshot, monkeypatch):
    from donations.services import donation_record

    campaign = _campaign_tree()
    donation_record(
        supporter=SupporterFactory(),
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=50_000,
        paid_at=timezone.now(),
        campaign_id=campaign.pk,
    )
    recorder = RecordingHTTPClient([(200, checkout_session("cs_test_campaign", CHECKOUT_URL))])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Stripe Checkout (test)</h1>"
        ),
    )

    with override_settings(STRIPE_SECRET_KEY="sk_test_browser"):
        page.goto(live_server.url + "/campaigns/summer/")
        expect(page.get_by_role("heading", level=1)).to_have_text("夏休みの食支援")
        bar = page.locator("progress.campaign-progress__bar")
        expect(bar).to_be_visible()
        expect(bar).to_have_attribute("value", "50000")
        expect(bar).to_have_attribute("max", "200000")
        expect(page.locator(".campaign-progress__raised")).to_have_text("¥50,000")
        expect(page.locator(".campaign-progress__days")).to_contain_text("12")
        screenshot("campaign")

        page.get_by_role("link", name="¥5,000").click()
        expect(page).to_have_url(
            f"{live_server.url}/donate/?frequency=one_off&amount=5000&campaign={campaign.pk}"
        )
        expect(page.get_by_label("¥5,000")).to_be_checked()
        page.locator("#id_family_name").fill("山田")
        page.locator("#id_given_name").fill("花子")
        page.get_by_label("セイ").fill("やまだ")
        page.get_by_label("メイ").fill("はなこ")
        page.get_by_label("メールアドレス").fill("hana@example.jp")
        page.locator("#id_show_name").check()
        page.locator("#id_show_amount").check()
        page.get_by_label("プライバシーポリシー").check()
        page.get_by_role("button", name="安全な決済ページへ進む").click()
        expect(page).to_have_url(CHECKOUT_URL)

    checkout = CheckoutRequest.objects.get()
    assert checkout.campaign_id == campaign.pk and checkout.amount_yen == 5000
    assert checkout.show_name and checkout.show_amount
    params = recorder.requests[0]["params"]
    assert params["metadata[campaign_id]"] == str(campaign.pk)
    # Wishes stay with us on the checkout request; Stripe gets only our reference to it.
    assert params["metadata[checkout_request]"] == str(checkout.uuid)
    assert not any(key.startswith(("metadata[show_", "metadata[message")) for key in params)
    assert Donation.objects.count() == 1  # only the bank transfer: Checkout records nothing
    assert set(page.foreign_requests) == {CHECKOUT_URL}
    assert page.console_errors == []


def _staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="pw-" + username)
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def _login(page, live_server, username):
    response = page.goto(live_server.url + "/admin/login/")
    # What the browser got, should the form be missing (a failure then says why).
    form = page.locator("#id_username")
    assert form.count() == 1, (response.status if response else None, page.url, page.content())
    form.fill(username)
    page.locator("#id_password").fill("pw-" + username)
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/admin/")


def test_staff_submit_a_campaign_and_an_editor_publishes_it(
    live_server, page, screenshot, django_user_model
):
    campaign = _campaign_tree(live=False)
    campaign.save_revision()
    home = Site.objects.get(is_default_site=True).root_page
    writers = Group.objects.create(name="Writers")
    writers.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=writers, page=home, permission=Permission.objects.get(codename=codename)
        )
    _staff(django_user_model, "writer", writers)
    _staff(django_user_model, "editor", Group.objects.get(name=EDITORS))

    _login(page, live_server, "writer")
    page.goto(f"{live_server.url}/admin/pages/{campaign.pk}/edit/")
    page.locator("#id_summary").fill("お昼ごはんとお米を届けます。")
    page.locator("footer [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name=f"Submit to {CAMPAIGN_REVIEW}").click()
    expect(page.locator(".messages")).to_contain_text("submitted")
    state = WorkflowState.objects.get(object_id=str(campaign.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    campaign.refresh_from_db()
    assert not campaign.live
    # Leave the editor first: its background requests (each admin response refreshes the
    # session cookie, AdminIdleTimeoutMiddleware) must not log the writer back in after the
    # cookies are cleared.
    page.goto("about:blank")
    page.context.clear_cookies()

    _login(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/pages/{campaign.pk}/edit/")
    screenshot("review")
    page.locator("footer [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Approve and Publish").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")

    campaign.refresh_from_db()
    state.refresh_from_db()
    assert campaign.live and state.status == WorkflowState.STATUS_APPROVED
    assert campaign.summary == "お昼ごはんとお米を届けます。"
    page.goto(live_server.url + "/campaigns/summer/")
    expect(page.get_by_text("お昼ごはんとお米を届けます。").first).to_be_visible()

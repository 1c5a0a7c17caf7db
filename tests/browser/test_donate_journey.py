"""The donate page in chromium, on a 390 px phone and a 1280 px desktop, with the production
security headers: no sideways scrolling, no axe violations, tap targets of 44 px; a monthly gift
goes to Stripe Checkout; errors are summed up and focused; a visitor from a campaign sees it;
without Stripe keys the page offers the bank account instead of a form.

Set DONATE_SCREENSHOTS=/some/folder to keep a full-page screenshot of each state."""

import datetime
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from donations import stripe_api
from donations.models import (
    CheckoutRequest,
    DonateImpactLine,
    DonatePage,
    Donation,
    Programme,
)
from donations.offline_gifts import donation_record_offline
from home.models import StandardPage
from ouendan.core.models import OrganisationSettings
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory
from tests.members.factories import SupporterFactory
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_browser"
WIDTHS = [390, 1280]


@pytest.fixture
def donate_site(home_page):
    """A donate page as the demo has it, the organisation's details, two programmes and a
    campaign with a ¥100,000 goal that has ¥40,000."""
    privacy = StandardPage(title="プライバシーポリシー", slug="privacy")
    home_page.add_child(instance=privacy)
    privacy.save_revision().publish()
    donate = DonatePage(title="寄付する", slug="donate", privacy_page=privacy)
    donate.impact_lines = [
        DonateImpactLine(amount_yen=3000, text="子ども食堂の食事10食分"),
        DonateImpactLine(amount_yen=1000, text="子ども食堂の食事 約3食分"),
        DonateImpactLine(amount_yen=30000, text="ひとり親家庭3世帯に1か月の食支援"),
    ]
    home_page.add_child(instance=donate)
    donate.save_revision().publish()
    org = OrganisationSettings.for_default_site()
    org.name = "さくら野 子どもの未来応援団"
    org.legal_form = "特定非営利活動法人"
    org.legal_name = "さくら野子育てネットワーク"
    org.postal_code = "352-0000"
    org.address = "さくら野市中央1-2-3"
    org.email = "info@example.jp"
    org.phone = "048-000-0000"
    org.bank_name = "さくら野信用金庫"
    org.bank_branch = "中央支店"
    org.bank_account_number = "1234567"
    org.bank_account_holder = "トクヒ）サクラノコソダテネットワーク"
    org.save()
    Programme.objects.create(name_ja="子どもの居場所", name_en="Children's places")
    food_bank = Programme.objects.create(name_ja="フードバンク", name_en="Food bank", sort_order=1)
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index, title="冬休みの食卓キャンペーン", goal_yen=100_000)
    donation_record_offline(
        supporter=SupporterFactory(),
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=40_000,
        paid_at=timezone.now() - datetime.timedelta(hours=2),
        campaign_id=campaign.pk,
    )
    return {"donate": donate, "campaign": campaign, "food_bank": food_bank}


@pytest.fixture
def stripe_checkout(monkeypatch, page):
    """Stripe's API answered by a recorder, its Checkout page inside the browser."""
    recorder = RecordingHTTPClient([(200, checkout_session("cs_test_browser", CHECKOUT_URL))])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Stripe Checkout (test)</h1>"
        ),
    )
    with override_settings(STRIPE_SECRET_KEY="sk_test_browser"):
        yield recorder


def keep_screenshot(page, name: str) -> None:
    folder = os.environ.get("DONATE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def assert_fits_and_accessible(page) -> None:
    """No sideways scrolling and no axe-core violations in the page as it is now."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"scrolls sideways: {widths}"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_tap_targets(page, selector: str) -> None:
    """Every visible element matching `selector` is at least 44 × 44 px."""
    boxes = page.eval_on_selector_all(
        selector,
        """elements => elements
            .filter(element => element.offsetParent !== null)
            .map(element => {
                const box = element.getBoundingClientRect();
                return [element.textContent.trim().slice(0, 30), box.width, box.height];
            })""",
    )
    assert boxes, f"nothing matches {selector}"
    small = [box for box in boxes if box[1] < 44 or box[2] < 44]
    assert not small, f"tap targets under 44 px: {small}"


def visible_amounts(page) -> list[str]:
    return [
        text.split("/")[0].strip()
        for text in page.locator(".tile:visible .tile__amount").all_inner_texts()
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_monthly_gift_for_a_programme_goes_to_checkout(
    live_server, page, donate_site, stripe_checkout, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/donate/")

    # Monthly is the default: its amounts, ¥1,000 preselected, each with its impact line.
    expect(page.get_by_role("radio", name="毎月")).to_be_checked()
    assert visible_amounts(page) == ["¥500", "¥1,000", "¥3,000", "¥5,000"]
    expect(page.get_by_role("radio", name="¥1,000")).to_be_checked()
    expect(page.locator(".tile", has_text="¥3,000")).to_contain_text("子ども食堂の食事10食分")
    expect(page.get_by_text("¥500〜¥1,000,000")).to_be_visible()
    assert_fits_and_accessible(page)
    assert_tap_targets(page, ".toggle__option label, .tile__label, .pill label")
    assert_tap_targets(page, ".donate-check label, .donate-submit")
    keep_screenshot(page, f"donate-{width}")

    # Keyboard: the toggle is a radio group; one-off shows its own amounts.
    page.get_by_role("radio", name="毎月").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="今回のみ")).to_be_checked()
    assert visible_amounts(page) == ["¥3,000", "¥5,000", "¥10,000", "¥30,000"]
    expect(page.get_by_role("radio", name="¥5,000")).to_be_checked()  # one-off's default
    page.get_by_role("radio", name="毎月").check()

    page.locator(".tile__label:visible", has_text="¥3,000").click()
    expect(page.get_by_role("radio", name="¥3,000")).to_be_checked()
    page.locator(".pill label", has_text="フードバンク").click()
    page.locator("#id_family_name").fill("山田")
    page.locator("#id_given_name").fill("花子")
    page.get_by_label("セイ").fill("やまだ")
    page.get_by_label("メイ").fill("はなこ")
    page.get_by_label("メールアドレス").fill("hana@example.jp")
    page.get_by_text("プライバシーポリシーに同意します").click()
    page.get_by_role("button", name="安全な決済ページへ進む").click()
    expect(page).to_have_url(CHECKOUT_URL)

    params = stripe_checkout.requests[0]["params"]
    assert params["mode"] == "subscription"
    assert params["line_items[0][price_data][unit_amount]"] == "3000"
    assert params["line_items[0][price_data][recurring][interval]"] == "month"
    assert params["customer_email"] == "hana@example.jp"
    checkout = CheckoutRequest.objects.get()
    assert (checkout.stripe_session_id, checkout.programme) == (
        "cs_test_browser",
        donate_site["food_bank"],
    )
    assert not Donation.objects.filter(campaign__isnull=True).exists()  # no money before Stripe
    assert set(page.foreign_requests) == {CHECKOUT_URL}
    assert page.console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_errors_are_summed_up_and_focused(live_server, page, donate_site, stripe_checkout, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/donate/")
    page.locator("#id_custom_amount").fill("100")
    page.get_by_role("button", name="安全な決済ページへ進む").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    with translation.override("ja"):
        other_amount = translation.gettext("Other amount")
    expect(summary.get_by_role("link", name=other_amount, exact=False)).to_contain_text(
        "¥1,000,000"
    )
    expect(page.locator("#id_custom_amount")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_custom_amount")).to_have_value("100")  # what was typed is kept
    assert_fits_and_accessible(page)
    keep_screenshot(page, f"donate-errors-{width}")
    summary.get_by_role("link", name="メールアドレス", exact=False).click()
    expect(page.locator("#id_email")).to_be_focused()
    assert stripe_checkout.requests == [] and not CheckoutRequest.objects.exists()
    assert page.console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_from_a_campaign_sees_it(live_server, page, donate_site, stripe_checkout, width):
    campaign = donate_site["campaign"]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/donate/?campaign={campaign.pk}")

    card = page.locator("[data-campaign]")
    expect(card.get_by_role("heading", name="冬休みの食卓キャンペーン")).to_be_visible()
    expect(card).to_contain_text("¥40,000")
    expect(card).to_contain_text("¥100,000")
    expect(card.locator("progress")).to_have_attribute("value", "40")
    expect(page.locator("input[name=programme]")).to_have_count(0)
    assert_fits_and_accessible(page)
    keep_screenshot(page, f"donate-campaign-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_without_stripe_the_page_offers_the_bank_account(live_server, page, donate_site, width):
    page.set_viewport_size({"width": width, "height": 900})
    with override_settings(STRIPE_SECRET_KEY=""):
        page.goto(live_server.url + "/donate/")

    offline = page.locator("[data-no-online-payment]")
    expect(offline).to_contain_text("さくら野信用金庫")
    expect(offline).to_contain_text("1234567")
    expect(offline).to_contain_text("トクヒ）サクラノコソダテネットワーク")
    expect(offline.locator("a[href^='mailto:info@example.jp']")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("input[name=amount]")).to_have_count(0)
    assert_fits_and_accessible(page)
    assert_tap_targets(page, ".donate-contact__button")
    keep_screenshot(page, f"donate-no-stripe-{width}")

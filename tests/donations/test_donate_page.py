"""The donate page around its form: amount tiles with impact lines, limits, the programme a gift
supports (kept on the ledger row), the campaign a visitor came from, the trust panel, and the
honest page without online payment."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from donations import stripe_api
from donations.models import (
    CheckoutRequest,
    DonateImpactLine,
    DonatePage,
    Donation,
    Programme,
    RecurringDonation,
)
from donations.offline_gifts import donation_record_offline
from ouendan.core.models import OrganisationSettings
from tests.donations.test_donor import donate, paid_session, process
from tests.members.factories import SupporterFactory
from tests.stripe_recorder import RecordingHTTPClient

pytestmark = pytest.mark.django_db

CHECKOUT = "https://checkout.stripe.com/c/pay/"


@pytest.fixture
def donate_page(home_page):
    page = DonatePage(title="寄付する", slug="donate", minimum_yen=500, maximum_yen=1_000_000)
    page.impact_lines = [
        DonateImpactLine(amount_yen=3000, text="子ども食堂の食事10食分"),
        DonateImpactLine(amount_yen=500, text="おやつ5回分"),
    ]
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def programmes(db):
    return [
        Programme.objects.create(name_ja="子どもの居場所", name_en="Children's places"),
        Programme.objects.create(name_ja="フードバンク", name_en="Food bank", sort_order=1),
    ]


def tiles(html: str) -> dict[int, dict]:
    """Each amount tile: its frequencies, preselection and impact line."""
    found = {}
    pattern = re.compile(
        r'<div class="tile" data-for="(?P<for>[^"]*)" data-default="(?P<default>[^"]*)">\s*'
        r'<input class="tile__input" type="radio" name="amount" id="[^"]+" '
        r'value="(?P<value>\d+)"(?P<checked> checked)?>(?P<rest>.*?)</label>',
        re.S,
    )
    for match in pattern.finditer(html):
        impact = re.search(r'<span class="tile__impact">([^<]*)</span>', match["rest"])
        found[int(match["value"])] = {
            "for": set(match["for"].split()),
            "checked": bool(match["checked"]),
            "impact": impact[1] if impact else "",
        }
    return found


# --- The form: amounts, limits and impact lines ------------------------------------------------


def test_amount_tiles_carry_their_frequencies_impact_and_a_monthly_default(
    client, donate_page, stripe_recorder
):
    html = client.get("/donate/").content.decode().replace("<wbr>", "")
    found = tiles(html)

    # one-off 3000,5000,10000,30000 and monthly 500,1000,3000,5000 (the page's defaults)
    assert set(found) == {500, 1000, 3000, 5000, 10000, 30000}
    assert found[500]["for"] == {"monthly"}
    assert found[3000]["for"] == {"one_off", "monthly"}
    assert found[30000]["for"] == {"one_off"}
    assert found[3000]["impact"] == "子ども食堂の食事10食分"
    assert found[500]["impact"] == "おやつ5回分"
    assert found[10000]["impact"] == ""
    # Monthly is the preselected frequency, with its second amount.
    assert re.search(r'<input type="radio" name="frequency" value="monthly"[^>]* checked', html)
    assert [value for value, tile in found.items() if tile["checked"]] == [1000]
    # The limits as a visitor reads them.
    assert "¥500〜¥1,000,000" in html


def test_a_link_may_choose_the_frequency_and_amount(client, donate_page, stripe_recorder):
    html = client.get("/donate/?frequency=one_off&amount=10000").content.decode()
    assert re.search(r'<input type="radio" name="frequency" value="one_off"[^>]* checked', html)
    assert [value for value, tile in tiles(html).items() if tile["checked"]] == [10000]


@pytest.mark.parametrize(
    ("custom", "accepted"),
    [("499", False), ("500", True), ("1000000", True), ("1000001", False)],
)
def test_other_amount_limits(client, donate_page, stripe_recorder, custom, accepted):
    data = {
        "frequency": "one_off",
        "custom_amount": custom,
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "email": "hana@example.jp",
        "privacy": "on",
    }
    with translation.override("ja"):
        response = client.post("/donate/", data)
        expected = translation.gettext("Enter an amount from ¥%(min)s to ¥%(max)s.") % {
            "min": "500",
            "max": "1,000,000",
        }
    if accepted:
        assert response.status_code == 303
        assert CheckoutRequest.objects.get().amount_yen == int(custom)
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["custom_amount"] == [expected]
        html = response.content.decode()
        assert 'class="error-summary"' in html and 'href="#id_custom_amount"' in html
        assert 'aria-invalid="true"' in html
        assert not CheckoutRequest.objects.exists()


def test_a_missing_amount_links_the_summary_to_the_first_tile(client, donate_page, stripe_recorder):
    response = client.post("/donate/", {"frequency": "monthly", "privacy": "on"})
    html = response.content.decode()
    assert "amount" in response.context["form"].errors
    assert 'href="#id_amount_0"' in html and 'id="id_amount_0"' in html
    assert 'id="id_amount_errors"' in html


# --- What the gift supports ---------------------------------------------------------------------


def test_the_chosen_programme_is_kept_on_the_ledger_row(
    client, donate_page, stripe_recorder, programmes
):
    html = client.get("/donate/").content.decode().replace("<wbr>", "")
    assert 'name="programme" value="" ' in html or 'name="programme" value=""' in html
    assert "子どもの居場所" in html and "フードバンク" in html

    checkout = donate(client, programme=str(programmes[1].pk))
    assert checkout.programme == programmes[1]
    process("checkout.session.completed", paid_session(checkout))

    gift = Donation.objects.get()
    assert gift.programme == programmes[1]
    assert gift.programme_label == "フードバンク"


def test_where_most_needed_leaves_the_programme_empty(
    client, donate_page, stripe_recorder, programmes
):
    checkout = donate(client, programme="")
    process("checkout.session.completed", paid_session(checkout))
    gift = Donation.objects.get()
    assert gift.programme is None
    with translation.override("ja"):
        assert gift.programme_label == translation.gettext("Where most needed")


def test_an_inactive_programme_is_neither_offered_nor_accepted(
    client, donate_page, stripe_recorder, programmes
):
    Programme.objects.filter(pk=programmes[0].pk).update(active=False)
    assert "子どもの居場所" not in client.get("/donate/").content.decode()
    response = client.post(
        "/donate/",
        {
            "frequency": "one_off",
            "amount": "5000",
            "programme": str(programmes[0].pk),
            "family_name": "山田",
            "given_name": "花子",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナコ",
            "email": "hana@example.jp",
            "privacy": "on",
        },
    )
    assert response.status_code == 200 and "programme" in response.context["form"].errors
    assert not CheckoutRequest.objects.exists()


def test_every_monthly_payment_counts_for_the_chosen_programme(
    client, donate_page, stripe_recorder, programmes
):
    checkout = donate(client, frequency="monthly", amount="1000", programme=str(programmes[0].pk))
    metadata = {"checkout_request": str(checkout.uuid)}
    process(
        "checkout.session.completed",
        paid_session(checkout, mode="subscription", subscription="sub_p", amount_total=1000),
    )
    process(
        "customer.subscription.created",
        {
            "id": "sub_p",
            "object": "subscription",
            "customer": "cus_p",
            "status": "active",
            "start_date": 1_800_000_000,
            "metadata": metadata,
            "items": {"data": [{"price": {"unit_amount": 1000}, "quantity": 1}]},
        },
    )
    assert RecurringDonation.objects.get().programme == programmes[0]
    for month in range(2):
        process(
            "invoice.paid",
            {
                "id": f"in_p{month}",
                "object": "invoice",
                "amount_paid": 1000,
                "currency": "jpy",
                "status": "paid",
                "status_transitions": {"paid_at": 1_800_000_100 + month * 2_600_000},
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {"subscription": "sub_p", "metadata": metadata},
                },
            },
        )
    assert [gift.programme for gift in Donation.objects.all()] == [programmes[0]] * 2


# --- Arriving from a campaign -------------------------------------------------------------------


def test_arriving_from_a_campaign_names_it_with_its_progress(
    client, donate_page, stripe_recorder, campaign, programmes
):
    donor = SupporterFactory()
    donation_record_offline(
        supporter=donor,
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=25_000,
        paid_at=timezone.now() - datetime.timedelta(hours=1),
        campaign_id=campaign.pk,
    )
    html = client.get(f"/donate/?campaign={campaign.pk}").content.decode().replace("<wbr>", "")

    section = html[html.index("data-campaign") : html.index("</section>")]
    assert campaign.title in section and f'href="{campaign.url}"' in section
    assert "¥25,000" in section and "¥100,000" in section and "25%" in section
    assert '<progress class="donate-campaign__bar" max="100" value="25"' in section
    assert f'name="campaign" value="{campaign.pk}"' in html
    # A campaign's gift goes to the campaign: no programme choice.
    assert 'name="programme"' not in html

    checkout = donate(client, path=f"/donate/?campaign={campaign.pk}")
    assert (checkout.campaign_id, checkout.programme_id) == (campaign.pk, None)


def test_a_page_that_is_no_campaign_is_not_named(client, donate_page, stripe_recorder, home_page):
    html = client.get(f"/donate/?campaign={home_page.pk}").content.decode()
    assert "data-campaign" not in html
    assert f'name="campaign" value="{home_page.pk}"' in html  # still credited as before


# --- Trust panel and the page without online payment --------------------------------------------


def organisation(**fields) -> OrganisationSettings:
    org = OrganisationSettings.for_default_site()
    for name, value in fields.items():
        setattr(org, name, value)
    org.save()
    return org


BANK = {
    "bank_name": "さくら野信用金庫",
    "bank_branch": "中央支店",
    "bank_account_type": "ordinary",
    "bank_account_number": "7654321",
    "bank_account_holder": "トクヒ）サクラノ",
    "email": "info@example.jp",
}


def test_trust_panel_names_the_legal_entity_and_the_tax_position(
    client, donate_page, stripe_recorder
):
    organisation(legal_form="特定非営利活動法人", legal_name="さくら野子育てネットワーク")
    with translation.override("ja"):
        not_certified = translation.gettext(
            "We are not a certified NPO (認定NPO法人), so gifts to us do not qualify for the "
            "tax deduction for donations (寄附金控除)."
        )
    html = client.get("/donate/").content.decode()
    assert "特定非営利活動法人 さくら野子育てネットワーク" in html
    assert not_certified in html
    assert "VISA" in html and "JCB" in html

    organisation(legal_form="認定特定非営利活動法人", certification_number="○○県指令第123号")
    html = client.get("/donate/").content.decode()
    assert not_certified not in html and "○○県指令第123号" in html

    DonatePage.objects.filter(pk=donate_page.pk).update(tax_note="条例指定のため控除の対象です。")
    assert "条例指定のため控除の対象です。" in client.get("/donate/").content.decode()


def test_without_stripe_there_is_no_form_but_the_bank_account_and_a_contact(
    client, donate_page, monkeypatch
):
    organisation(**BANK)
    recorder = RecordingHTTPClient()
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY=""):
        html = client.get("/donate/").content.decode()
        response = client.post(
            "/donate/", {"frequency": "one_off", "amount": "5000", "privacy": "on"}
        )
    for shown in ("さくら野信用金庫", "中央支店", "7654321", "トクヒ）サクラノ"):
        assert shown in html
    assert 'href="mailto:info@example.jp?subject=' in html
    assert "data-no-online-payment" in html
    assert "<form" not in html.split('id="main"')[1].split("</main>")[0]
    assert 'name="amount"' not in html and "VISA" not in html
    # A POST all the same: the same page, no second contradictory error, nothing sent.
    assert response.status_code == 200
    posted = response.content.decode()
    assert "data-no-online-payment" in posted and "error-summary" not in posted
    assert "notice--error" not in posted
    assert recorder.requests == [] and not CheckoutRequest.objects.exists()


def test_without_stripe_or_bank_details_it_says_how_to_ask(client, donate_page):
    organisation(email="info@example.jp", phone="048-000-0000", bank_account_number="")
    with override_settings(STRIPE_SECRET_KEY=""), translation.override("ja"):
        html = client.get("/donate/").content.decode()
        ask = translation.gettext("Please contact us and we will send you the account details.")
    assert ask in html
    assert 'href="tel:0480000000"' in html and "mailto:info@example.jp" in html

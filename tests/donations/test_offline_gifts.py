"""Recording one offline gift: the campaign it may count towards, and the duplicate warning."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Locale, ModelLogEntry

from donations.gift_forms import OfflineDonationForm
from donations.models import Donation
from donations.offline_gifts import DuplicateGift, donation_record_offline
from donations.selectors import gift_campaign_pages, offline_gift_duplicates
from members.groups import FINANCE
from tests.campaigns.factories import CampaignPageFactory
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/donation/new/"
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def finance(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    return user


def gift_data(supporter, **changes):
    data = {
        "supporter": supporter.pk,
        "kind": "one_off",
        "method": "bank_transfer",
        "amount_yen": "12000",
        "paid_at": "2026-11-01 10:00",
        "campaign": "",
        "note": "",
    }
    return {**data, **changes}


# --- The campaign field ------------------------------------------------------------------------


def test_the_campaign_field_offers_live_japanese_campaign_pages_only(campaign, home_page):
    from home.models import StandardPage

    privacy = home_page.add_child(
        instance=StandardPage(title="プライバシーポリシー", slug="privacy")
    )
    draft = CampaignPageFactory(parent=campaign.get_parent(), live=False)
    alias = campaign.create_alias(update_slug="campaign-alias")
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)
    campaign_en.save_revision().publish()

    offered = list(OfflineDonationForm().fields["campaign"].queryset)
    assert offered == [campaign.page_ptr]
    for page in (privacy, draft, alias, campaign_en, campaign.get_parent(), home_page):
        assert page.pk not in {p.pk for p in offered}
    assert list(gift_campaign_pages()) == [campaign.page_ptr]

    html = str(OfflineDonationForm()["campaign"])
    assert campaign.title in html and "プライバシーポリシー" not in html


def test_a_correction_keeps_the_campaign_the_gift_already_counts_towards(campaign):
    supporter = SupporterFactory()
    donation = donation_record_offline(
        supporter=supporter,
        kind="one_off",
        method="cash",
        amount_yen=1000,
        paid_at=timezone.now(),
        campaign_id=campaign.pk,
    )
    campaign.unpublish()
    assert not gift_campaign_pages().exists()
    form = OfflineDonationForm(instance=donation)
    assert [p.pk for p in form.fields["campaign"].queryset] == [campaign.pk]


def test_finance_cannot_post_a_page_that_is_not_a_campaign(client, finance, home_page):
    response = client.post(ADD_URL, gift_data(SupporterFactory(), campaign=home_page.pk))
    assert response.status_code == 200 and "campaign" in response.context["form"].errors
    assert not Donation.objects.exists()


# --- Duplicates --------------------------------------------------------------------------------


def test_the_duplicate_rule_is_donor_amount_day_in_japan_and_campaign(campaign):
    hanako, taro = SupporterFactory(), SupporterFactory()
    paid_at = datetime.datetime(2026, 11, 1, 23, 30, tzinfo=TOKYO)
    recorded = donation_record_offline(
        supporter=hanako,
        kind="one_off",
        method="bank_transfer",
        amount_yen=5000,
        paid_at=paid_at,
        campaign_id=campaign.pk,
    )

    def found(**changes):
        key = {
            "supporter_id": hanako.pk,
            "amount_yen": 5000,
            "paid_at": datetime.datetime(2026, 11, 1, 0, 5, tzinfo=TOKYO),  # same day in Japan
            "campaign_id": campaign.pk,
            **changes,
        }
        return list(offline_gift_duplicates(**key))

    assert found() == [recorded]
    assert found(supporter_id=taro.pk) == []
    assert found(amount_yen=5001) == []
    assert found(campaign_id=None) == []
    # 2 November 00:10 in Tokyo is still 1 November in UTC: a different day here.
    assert found(paid_at=datetime.datetime(2026, 11, 2, 0, 10, tzinfo=TOKYO)) == []
    assert found(exclude_pk=recorded.pk) == []
    # A card gift of the same amount is a different payment, not a double entry.
    Donation.objects.filter(pk=recorded.pk).update(method="card")
    assert found() == []


def test_the_service_refuses_an_unconfirmed_duplicate():
    supporter = SupporterFactory()
    fields = {
        "supporter": supporter,
        "kind": "one_off",
        "method": "cash",
        "amount_yen": 3000,
        "paid_at": timezone.now(),
    }
    first = donation_record_offline(**fields)
    with pytest.raises(DuplicateGift) as refused:
        donation_record_offline(**fields)
    assert refused.value.duplicates == [first]
    assert Donation.objects.count() == 1
    donation_record_offline(**fields, confirmed_duplicate=True)
    assert Donation.objects.count() == 2


def test_the_form_warns_of_a_duplicate_and_records_it_only_once_confirmed(
    client, finance, campaign
):
    supporter = SupporterFactory(family_name="鈴木", given_name="一郎")
    data = gift_data(supporter, campaign=campaign.pk, note="11月分 振込")
    assert client.post(ADD_URL, data).status_code == 302
    assert Donation.objects.count() == 1

    # The same gift again: a warning, nothing saved, the input kept.
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["confirm_duplicate"]
    html = response.content.decode()
    assert "¥12,000" in html and "鈴木 一郎" in html and "2026/11/01" in html
    assert 'type="checkbox" name="confirm_duplicate"' in html
    assert 'value="11月分 振込"' in html or "11月分 振込</textarea>" in html
    assert Donation.objects.count() == 1

    # Confirmed: recorded, with its history entry.
    response = client.post(ADD_URL, {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302, response.context["form"].errors
    assert Donation.objects.count() == 2
    newest = Donation.objects.order_by("-pk").first()
    assert ModelLogEntry.objects.filter(
        object_id=str(newest.pk), action="wagtail.create", user=finance
    ).exists()


def test_a_different_gift_needs_no_confirmation(client, finance):
    supporter = SupporterFactory()
    assert client.post(ADD_URL, gift_data(supporter)).status_code == 302
    response = client.post(ADD_URL, gift_data(supporter, amount_yen="12001"))
    assert response.status_code == 302
    html = client.get(ADD_URL).content.decode()
    assert 'type="checkbox" name="confirm_duplicate"' not in html  # only shown when needed
    assert Donation.objects.count() == 2


def test_a_gift_recorded_meanwhile_is_caught_by_the_service(client, finance, monkeypatch):
    """Two staff saving the same gift: the form's check passed, the service still refuses."""
    import donations.gift_forms

    supporter = SupporterFactory()
    monkeypatch.setattr(
        donations.gift_forms, "offline_gift_duplicates", lambda **kw: Donation.objects.none()
    )
    assert client.post(ADD_URL, gift_data(supporter)).status_code == 302
    response = client.post(ADD_URL, gift_data(supporter))
    assert response.status_code == 200
    assert "confirm_duplicate" in response.context["form"].errors
    assert Donation.objects.count() == 1


def test_offline_gifts_and_receipts_choose_donors_with_the_searchable_chooser():
    from django.urls import reverse

    from donations.receipts.forms import IssueForm
    from members.admin.chooser import SupporterChooserWidget

    modal_url = reverse("donor_chooser:choose")
    for field in (OfflineDonationForm().fields["supporter"], IssueForm().fields["supporter"]):
        assert isinstance(field.widget, SupporterChooserWidget)
        assert field.widget.get_chooser_modal_url() == modal_url

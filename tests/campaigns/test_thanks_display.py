"""Thank-you screens: a bulk thank-you's title has its placeholders filled in, and the log and
the outbox say what a thank-you was for (a label and a link), never its internal key."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from campaigns.models import ThankYouBatch, ThankYouLog
from campaigns.thanks import donation_thank_send
from campaigns.thanks_display import thank_you_batch_title
from members.groups import FINANCE
from ouendan.core.models import OutgoingEmail
from ouendan.core.outbox_purposes import outbox_purpose
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory, campaign_gift
from tests.display_checks import assert_no_raw_values
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(home_page):
    index = CampaignIndexPageFactory(parent=home_page)
    return CampaignPageFactory(parent=index, title="夏休みの食支援", goal_yen=1_000_000)


@pytest.fixture
def finance(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    return client


def test_bulk_thanks_title_fills_in_the_campaign(campaign, finance):
    batch = ThankYouBatch.objects.create(
        campaign=campaign,
        subject="「{campaign}」へのご支援ありがとうございました（{name}様）",
        body="{name} 様",
    )
    with translation.override("ja"):
        title = thank_you_batch_title(batch)
    assert title.startswith("「夏休みの食支援」へのご支援ありがとうございました")
    assert "{" not in title

    listing = finance.get("/admin/campaign-thanks/").content.decode()
    detail = finance.get(f"/admin/campaign-thanks/{batch.pk}/").content.decode()
    for page in (listing, detail):
        text = assert_no_raw_values(page, "{campaign}", "{name}")
        assert "「夏休みの食支援」へのご支援ありがとうございました" in text


def test_a_batch_without_a_campaign_keeps_a_readable_title():
    batch = ThankYouBatch(subject="{organisation}より{campaign}のお礼", body="")
    assert "{" not in thank_you_batch_title(batch, language="ja")


def test_thank_you_log_and_outbox_name_the_gift_not_the_key(campaign, finance):
    donor = SupporterFactory(family_name="佐藤", given_name="花")
    donation = campaign_gift(donor, campaign, 3000)
    donation_thank_send(donation_id=donation.pk)
    log = ThankYouLog.objects.get(object_key=f"donation:{donation.pk}")
    email = OutgoingEmail.objects.get(key=f"thanks:one_off:donation:{donation.pk}")

    listing = finance.get("/admin/snippets/campaigns/thankyoulog/").content.decode()
    detail = finance.get(f"/admin/snippets/campaigns/thankyoulog/inspect/{log.pk}/")
    for page in (listing, detail.content.decode()):
        assert_no_raw_values(page, f"donation:{donation.pk}")
        assert f'href="/admin/donation/inspect/{donation.pk}/"' in page

    purpose = outbox_purpose(email.key)
    assert purpose.url == f"/admin/donation/inspect/{donation.pk}/"
    outbox = finance.get(f"/admin/outgoing_emails/inspect/{email.pk}/").content.decode()
    assert f'href="/admin/donation/inspect/{donation.pk}/"' in outbox
    assert_no_raw_values(outbox[: outbox.index('class="ouendan-technical"')])

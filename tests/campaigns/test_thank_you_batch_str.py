"""A bulk thank-you is named, wherever Wagtail names it (history, choosers, breadcrumbs), by its
subject as recipients read it: {campaign} filled in, never the raw placeholder."""

import datetime

import pytest
from django.utils import translation

from campaigns.models import ThankYouBatch
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory

pytestmark = pytest.mark.django_db


def test_a_batch_is_named_by_its_rendered_subject_and_its_local_day(home_page):
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index, title="夏休みの食支援", goal_yen=1_000_000)
    batch = ThankYouBatch.objects.create(
        campaign=campaign,
        subject="「{campaign}」へのご支援ありがとうございました",
        body="{name} 様",
        # 23:30 UTC on 31 March is already 1 April in Japan.
        created_at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC),
    )
    with translation.override("ja"):
        name = str(batch)
    assert name == "「夏休みの食支援」へのご支援ありがとうございました (2026年4月1日)"
    assert "{campaign}" not in name

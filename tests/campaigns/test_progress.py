"""Campaign progress comes from the ledger: online and offline gifts, minus refunds, with the same
number of queries at any size, cached and dropped when gifts or refunds commit."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import Locale

from campaigns.models import CampaignStatus
from campaigns.selectors import campaign_progress, campaigns_featured, supporters_wall
from campaigns.services import campaign_progress_invalidate
from donations.models import Donation
from donations.services import donation_refund
from members.models import ConsentRecord, Supporter
from members.services import consent_record
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory, campaign_gift
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_progress_counts_online_and_offline_gifts_minus_refunds(campaign):
    donors = SupporterFactory.create_batch(3)
    campaign_gift(donors[0], campaign, 10_000, method=Donation.Method.CARD)
    campaign_gift(donors[1], campaign, 20_000, method=Donation.Method.BANK_TRANSFER)
    cash = campaign_gift(donors[2], campaign, 5_000, method=Donation.Method.CASH)
    partly = campaign_gift(donors[0], campaign, 8_000, method=Donation.Method.KONBINI)
    campaign_gift(donors[1], None, 99_000)  # not for this campaign
    donation_refund(donation=partly, refunded_total_yen=3_000)
    donation_refund(donation=cash, refunded_total_yen=5_000)  # fully refunded

    progress = campaign_progress(campaign=campaign)

    assert progress.raised_yen == 10_000 + 20_000 + 0 + 5_000
    assert progress.donor_count == 2  # the fully refunded donor no longer counts
    assert progress.gift_count == 3
    assert progress.percent == 35
    assert not progress.goal_reached


def test_gifts_from_the_english_translation_count_for_the_same_campaign(campaign):
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)
    supporter = SupporterFactory()
    campaign_gift(supporter, campaign, 60_000)
    campaign_gift(supporter, campaign_en, 50_000)

    for page in (campaign, campaign_en):
        progress = campaign_progress(campaign=page)
        assert (progress.raised_yen, progress.donor_count) == (110_000, 1)
        assert progress.goal_reached and progress.percent == 100


def test_the_all_campaigns_wall_names_campaigns_in_the_visitors_language(campaign):
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)
    campaign_en.title = "Summer meals"
    campaign_en.save_revision().publish()
    supporter = SupporterFactory(family_name="山田", given_name="花子")
    campaign_gift(supporter, campaign, 5000, show_name=True)

    with translation.override("en"):
        assert [e.campaign_title for e in supporters_wall(campaign=None)] == ["Summer meals"]
    with translation.override("ja"):
        assert [e.campaign_title for e in supporters_wall(campaign=None)] == [campaign.title]


def test_the_wall_asks_for_titles_only_when_no_gift_names_the_campaign_in_that_language(campaign):
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)
    campaign_en.title = "Summer meals"
    campaign_en.save_revision().publish()
    campaign_gift(SupporterFactory(family_name="山田"), campaign_en, 5000, show_name=True)

    def wall(language: str) -> tuple[list[str], int]:
        cache.clear()
        with translation.override(language), CaptureQueriesContext(connection) as queries:
            titles = [e.campaign_title for e in supporters_wall(campaign=campaign)]
        return titles, len(queries)

    # The only gift was made on the English page: a Japanese visitor's title is looked up.
    assert wall("ja") == ([campaign.title], 2)
    assert wall("en") == (["Summer meals"], 1)
    campaign_gift(SupporterFactory(family_name="佐藤"), campaign, 3000, show_name=True)
    assert wall("ja") == ([campaign.title, campaign.title], 1)
    assert wall("en") == (["Summer meals", "Summer meals"], 1)
    campaign_en.refresh_from_db()
    campaign_en.unpublish()  # a page no longer live names nothing: its title is looked up
    assert wall("en") == ([campaign.title, "Summer meals"], 2)  # as each gift's page says


def _bulk_gifts(campaign, count, prefix):
    supporters = Supporter.objects.bulk_create(
        [Supporter(family_name="寄付", email=f"{prefix}{n}@example.jp") for n in range(50)]
    )
    now = timezone.now()
    Donation.objects.bulk_create(
        [
            Donation(
                supporter=supporters[n % 50],
                kind=Donation.Kind.ONE_OFF,
                method=Donation.Method.CARD,
                amount_yen=1000,
                refunded_yen=500 if n % 10 == 0 else 0,
                paid_at=now - datetime.timedelta(minutes=n),
                campaign=campaign,
                show_name=n % 3 == 0,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )


def _page_queries(client, campaign) -> int:
    """Queries for an uncached render (the whole-page, progress and wall caches dropped)."""
    client.get(campaign.url)  # warm Wagtail's own caches (site root paths...)
    campaign_progress_invalidate(campaign_id=campaign.pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(campaign.url)
    assert response.status_code == 200
    return len(queries)


def test_campaign_page_query_count_is_the_same_at_10_and_20000_gifts(client, campaign):
    _bulk_gifts(campaign, 10, "small")
    small = _page_queries(client, campaign)
    assert campaign_progress(campaign=campaign).raised_yen == 10 * 1000 - 500

    _bulk_gifts(campaign, 20_000 - 10, "large")
    large = _page_queries(client, campaign)

    assert large == small
    cache.clear()
    progress = campaign_progress(campaign=campaign)
    assert progress.gift_count == 20_000
    assert progress.raised_yen == 20_000 * 1000 - 2_000 * 500
    assert progress.donor_count == 10 + 50  # supporters who gave in each bulk load


def test_progress_is_cached_and_dropped_when_a_gift_or_refund_commits(
    campaign, django_capture_on_commit_callbacks
):
    supporter = SupporterFactory()
    assert campaign_progress(campaign=campaign).raised_yen == 0
    with CaptureQueriesContext(connection) as queries:
        assert campaign_progress(campaign=campaign).raised_yen == 0
    assert len(queries) == 0  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        gift = campaign_gift(supporter, campaign, 40_000)
    assert campaign_progress(campaign=campaign).raised_yen == 40_000

    with django_capture_on_commit_callbacks(execute=True):
        donation_refund(donation=gift, refunded_total_yen=15_000)
    assert campaign_progress(campaign=campaign).raised_yen == 25_000


def test_cached_page_shows_new_gifts_and_gives_each_visitor_their_own_csrf_token(
    client, campaign, django_capture_on_commit_callbacks
):
    from django.test import Client

    token_input = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    first = client.get(campaign.url).content.decode()
    assert "¥0" in first
    visitor = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as queries:
        cached = visitor.get(campaign.url).content.decode()
    assert not any("donations_donation" in query["sql"] for query in queries)  # from the cache
    assert "__OUENDAN" not in cached
    token = token_input.search(cached).group(1)
    assert token != token_input.search(first).group(1)
    # The cached page's language switch works for this visitor (CSRF enforced)...
    switch = {"language": "en", "next": campaign.url, "csrfmiddlewaretoken": token}
    assert visitor.post("/i18n/setlang/", switch).status_code == 302
    # ...while the first visitor's token is refused with this visitor's cookie.
    stolen = {**switch, "csrfmiddlewaretoken": token_input.search(first).group(1)}
    fresh = Client(enforce_csrf_checks=True)
    fresh.get(campaign.url)
    assert fresh.post("/i18n/setlang/", stolen).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        campaign_gift(SupporterFactory(), campaign, 12_345)
    assert "¥12,345" in Client().get(campaign.url).content.decode()


def test_status_and_days_left_follow_the_dates(campaign):
    today = timezone.localdate()
    campaign.start_date, campaign.end_date = today + datetime.timedelta(days=3), None
    assert campaign.status == CampaignStatus.UPCOMING
    assert campaign.days_left is None
    campaign.start_date, campaign.end_date = today, today
    assert campaign.status == CampaignStatus.ACTIVE and campaign.days_left == 0
    campaign.end_date = today + datetime.timedelta(days=7)
    assert campaign.days_left == 7
    campaign.start_date, campaign.end_date = (
        today - datetime.timedelta(days=9),
        today - datetime.timedelta(days=1),
    )
    assert campaign.status == CampaignStatus.ENDED and campaign.days_left == 0


def test_wall_names_only_consenting_donors_newest_first_and_amounts_only_when_chosen(campaign):
    now = timezone.now()
    shown = SupporterFactory(family_name="表示", given_name="一郎")
    hidden = SupporterFactory(family_name="非表示", given_name="二郎")
    withdrew = SupporterFactory(family_name="撤回", given_name="三郎")
    consented = SupporterFactory(family_name="同意", given_name="四郎")
    refunded = SupporterFactory(family_name="返金", given_name="五郎")
    erased = SupporterFactory(
        family_name="削除", given_name="六郎", status=Supporter.Status.ANONYMISED
    )
    campaign_gift(
        shown,
        campaign,
        5_000,
        show_name=True,
        show_amount=True,
        paid_at=now - datetime.timedelta(hours=1),
    )
    campaign_gift(hidden, campaign, 5_000, paid_at=now - datetime.timedelta(hours=2))
    campaign_gift(
        withdrew, campaign, 5_000, show_name=True, paid_at=now - datetime.timedelta(hours=3)
    )
    consent_record(
        supporter=withdrew,
        kind=ConsentRecord.Kind.SUPPORTERS_WALL,
        granted=False,
        source=ConsentRecord.Source.PORTAL,
    )
    consent_record(
        supporter=consented,
        kind=ConsentRecord.Kind.SUPPORTERS_WALL,
        granted=True,
        source=ConsentRecord.Source.PORTAL,
    )
    # The wish goes with each gift; the consent alone names no gift (test_donations_checkout.py).
    campaign_gift(
        consented, campaign, 7_000, show_name=True, paid_at=now - datetime.timedelta(hours=4)
    )
    gone = campaign_gift(
        refunded, campaign, 5_000, show_name=True, paid_at=now - datetime.timedelta(hours=5)
    )
    donation_refund(donation=gone, refunded_total_yen=5_000)
    campaign_gift(erased, campaign, 5_000, show_name=True)
    campaign_gift(shown, campaign, 1_000, show_name=True, paid_at=now - datetime.timedelta(hours=6))

    wall = supporters_wall(campaign=campaign)

    assert [entry.name for entry in wall] == ["表示 一郎", "同意 四郎"]
    assert wall[0].amount_yen == 5_000
    assert wall[1].amount_yen is None
    html = campaign.serve(_request(campaign)).content.decode()
    assert (
        "表示 一郎" in html and "¥5,000" in html and "非表示" not in html and "¥7,000" not in html
    )


def _request(page):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(page.url)
    request.user = AnonymousUser()
    return request


def test_home_page_features_active_campaigns_with_their_progress(client, home_page):
    index = CampaignIndexPageFactory(parent=home_page)
    today = timezone.localdate()
    soon = CampaignPageFactory(
        parent=index, title="年末年始の子ども食堂", end_date=today + datetime.timedelta(days=3)
    )
    later = CampaignPageFactory(parent=index, title="夏休みの食支援", end_date=None)
    CampaignPageFactory(
        parent=index,
        title="終わった",
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=1),
    )
    CampaignPageFactory(
        parent=index, title="これから", start_date=today + datetime.timedelta(days=1)
    )
    draft = CampaignPageFactory(parent=index, title="下書き", live=False)
    campaign_gift(SupporterFactory(), soon, 30_000)

    assert [card.page.pk for card in campaigns_featured()] == [soon.pk, later.pk]
    html = client.get("/").content.decode().replace("<wbr>", "")  # phrase breaks in headings
    assert "年末年始の子ども食堂" in html and "¥30,000" in html and "夏休みの食支援" in html
    assert "終わった" not in html and "これから" not in html and draft.title not in html
    assert '<progress class="campaign-progress__bar" max="100000" value="30000"' in html

"""Readable ASCII slugs for Japanese titles (ouendan/core/slugs.py) and the page forms using it."""

import datetime

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from campaigns.models import CampaignPage
from ouendan.core.slugs import ascii_slug
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("夏休みの食支援", "natsuyasumi-no-shoku-shien"),
        ("年末年始の子ども食堂", "nenmatsunenshi-no-kodomo-shokudou"),
        ("Summer meals 2026", "summer-meals-2026"),
        ("ランドセル・文房具を届けよう！", "randoseru-bunbougu-wo-todoke-you"),
    ],
)
def test_a_japanese_title_gives_a_readable_ascii_slug(title, slug):
    assert ascii_slug(title) == slug


def test_a_title_with_nothing_readable_gives_a_dated_slug():
    assert ascii_slug("♥♥♥", prefix="campaign", today=datetime.date(2026, 12, 2)) == (
        "campaign-2026-12"
    )


def test_a_long_title_is_cut_at_a_word():
    slug = ascii_slug("子どもの居場所 " * 10)
    assert len(slug) <= 60 and not slug.endswith("-") and slug.isascii()


def _campaign_data(title: str, slug: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "概要",
            "start_date": "2026-07-20",
            "end_date": "2026-08-31",
            "body": streamfield([]),
            "donate": streamfield([]),
            "updates": streamfield([]),
            "goods_goals": inline_formset([]),
            "show_supporters_wall": "on",
        }
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed_slug", ["", "夏休みの食支援"])
def test_a_new_campaign_gets_an_ascii_slug_never_a_percent_encoded_one(
    admin_client, home_page, typed_slug
):
    index = CampaignIndexPageFactory(parent=home_page, slug="campaigns")
    CampaignPageFactory(parent=index, slug="natsuyasumi-no-shoku-shien")  # already taken

    response = admin_client.post(
        f"/admin/pages/add/campaigns/campaignpage/{index.pk}/",
        _campaign_data("夏休みの食支援", typed_slug),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    page = CampaignPage.objects.get(title="夏休みの食支援", slug__startswith="natsu", depth=4)
    assert page.slug == "natsuyasumi-no-shoku-shien-2"
    assert page.url == "/campaigns/natsuyasumi-no-shoku-shien-2/"


@pytest.mark.django_db
def test_an_ascii_slug_staff_typed_is_kept(admin_client, home_page):
    index = CampaignIndexPageFactory(parent=home_page, slug="campaigns")
    response = admin_client.post(
        f"/admin/pages/add/campaigns/campaignpage/{index.pk}/",
        _campaign_data("夏休みの食支援", "summer-2026"),
    )
    assert response.status_code == 302
    assert CampaignPage.objects.filter(slug="summer-2026").exists()

"""With open and click tracking on (NEWSLETTER_TRACK_OPENS_CLICKS), the privacy policy the join
form links to says so by itself, in Japanese and English; off, or on any other page, it does not."""

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Locale

from members.models import JoinPage

from .factories import StandardPageFactory

pytestmark = pytest.mark.django_db

HEADING = "Opens and clicks in our mail news"
ENGLISH = "Our mail provider records whether each issue of our mail news is opened"


@pytest.fixture
def pages(home_page):
    privacy = StandardPageFactory(parent=home_page, slug="privacy", title="個人情報の取り扱い")
    StandardPageFactory(parent=home_page, slug="about", title="私たちについて")
    home_page.add_child(instance=JoinPage(title="入会", slug="join", privacy_page=privacy))
    english = Locale.objects.create(language_code="en")
    for slug in ("privacy", "about"):
        page = home_page.get_children().get(slug=slug).specific
        page.copy_for_translation(english, copy_parents=True).save_revision().publish()
    return privacy


def heading(language: str) -> str:
    with translation.override(language):
        return gettext(HEADING)


@override_settings(NEWSLETTER_TRACK_OPENS_CLICKS=True)
def test_with_tracking_on_the_privacy_policy_says_so_in_both_languages(client, pages):
    japanese = client.get("/privacy/").content.decode().replace("<wbr>", "")  # phrase breaks
    assert 'class="mail-tracking-notice"' in japanese
    assert heading("ja") in japanese
    english = client.get("/en/privacy/").content.decode().replace("<wbr>", "")
    assert 'class="mail-tracking-notice"' in english
    assert HEADING in english and ENGLISH in english
    # Only the privacy policy: other pages are not about it.
    for url in ("/about/", "/en/about/"):
        assert "mail-tracking-notice" not in client.get(url).content.decode()


@override_settings(NEWSLETTER_TRACK_OPENS_CLICKS=False)
def test_with_tracking_off_the_privacy_policy_says_nothing_of_it(client, pages):
    for url, language in (("/privacy/", "ja"), ("/en/privacy/", "en")):
        response = client.get(url)
        html = response.content.decode().replace("<wbr>", "")
        assert response.status_code == 200
        assert "mail-tracking-notice" not in html
        assert heading(language) not in html

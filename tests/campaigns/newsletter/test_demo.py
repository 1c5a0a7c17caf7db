"""The demo has the mail news archive with one public issue (and one e-mail-only), and saved
audiences; building it twice changes nothing."""

import pytest

from campaigns.newsletter.models import AudienceSegment, NewsletterPage

pytestmark = pytest.mark.django_db


def test_demo_has_mail_news(demo_site, client):
    issues = NewsletterPage.objects.live()
    public = issues.get(is_public=True, locale__language_code="ja")
    private = issues.get(is_public=False)
    assert client.get(public.url).status_code == 200
    assert client.get(private.url).status_code == 404
    archive = client.get(public.get_parent().url).content.decode()
    assert f'href="{public.url}"' in archive and f'href="{private.url}"' not in archive
    assert AudienceSegment.objects.count() == 2
    assert client.get("/en" + public.get_parent().url).status_code == 200

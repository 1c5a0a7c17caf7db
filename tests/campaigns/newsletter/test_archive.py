"""The public archive lists public issues only; a non-public issue has no web view."""

import pytest

from .factories import issue

pytestmark = pytest.mark.django_db


def test_archive_lists_public_issues_and_hides_the_others(client, home_page):
    public = issue(home_page, title="春号", preheader="春のご報告")
    private = issue(home_page, title="会員限定号", is_public=False)
    index = public.get_parent()
    html = client.get(index.url).content.decode()
    assert f'href="{public.url}"' in html and "春のご報告" in html
    assert f'href="{private.url}"' not in html
    assert client.get(public.url).status_code == 200
    assert client.get(private.url).status_code == 404

"""The menu, header links and page meta come from the tree cache (ouendan.core.tree_cache) and
follow every page change: a page published, unpublished, renamed or moved shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from tests.home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def _menu(client) -> str:
    html = client.get("/").content.decode()
    return (
        html.split('class="main-menu"', 1)[1].split("</nav>", 1)[0] if "main-menu" in html else ""
    )


def test_menu_follows_publish_rename_and_unpublish(client, home_page):
    assert "活動について" not in _menu(client)
    page = StandardPageFactory(parent=home_page, title="活動について", show_in_menus=True)
    page.save_revision().publish()
    assert "活動について" in _menu(client)

    page.title = "私たちについて"
    page.save_revision().publish()
    assert "私たちについて" in _menu(client)
    assert "活動について" not in _menu(client)

    page.unpublish()
    assert "私たちについて" not in _menu(client)


def test_a_second_render_reads_no_page_tree_for_the_menu_header_or_meta(client, home_page):
    page = StandardPageFactory(parent=home_page, title="活動について", show_in_menus=True)
    page.save_revision().publish()

    def second_render() -> int:
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        return len(queries)

    with override_settings(TREE_CACHE_SECONDS=0):
        uncached = second_render()
    assert second_render() <= uncached - 8  # menu, donate and portal links, hreflang alternates

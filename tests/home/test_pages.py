"""Page types render, are editable in the admin and sit where they should in the tree."""

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage, NewsIndexPage, NewsPage, StandardPage
from tests.home.factories import NewsIndexPageFactory, NewsPageFactory, StandardPageFactory


def edit_data(page, **fields):
    """POST data for the page edit form, with a small StreamField body."""
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "body": streamfield(
                [("heading", "見出し"), ("paragraph", rich_text("<p>本文です。</p>"))]
            ),
            **fields,
        }
    )


class PageTypeTests(WagtailPageTestCase):
    def setUp(self):
        self.home = HomePage.objects.get(depth=2)
        self.login()

    def test_home_page_renders_and_is_editable(self):
        self.assertPageIsRenderable(self.home)
        data = edit_data(self.home, hero_heading="地域で支える", featured_heading="")
        self.assertPageIsEditable(self.home, data)
        self.assertPageIsPreviewable(self.home, post_data=data)

    def test_standard_page_renders_and_is_editable(self):
        page = StandardPageFactory(parent=self.home, title="私たちについて")
        self.assertPageIsRenderable(page)
        self.assertPageIsEditable(page, edit_data(page, intro="導入文"))

    def test_news_pages_render_and_are_editable(self):
        index = NewsIndexPageFactory(parent=self.home)
        article = NewsPageFactory(parent=index)
        self.assertPageIsRenderable(index)
        self.assertPageIsEditable(index, nested_form_data({"title": index.title, "slug": "news"}))
        self.assertPageIsRenderable(article)
        self.assertPageIsEditable(article, edit_data(article, date="2026-10-18", summary="概要"))

    def test_tree_rules(self):
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(HomePage, NewsIndexPage)
        self.assertCanCreateAt(NewsIndexPage, NewsPage)
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertCanNotCreateAt(NewsPage, StandardPage)
        self.assertAllowedParentPageTypes(HomePage, {Page})


@pytest.mark.django_db
def test_news_index_lists_live_articles_newest_first(client, home_page):
    index = NewsIndexPageFactory(parent=home_page, slug="news")
    older = NewsPageFactory(parent=index, title="古い記事", date="2026-01-05")
    newer = NewsPageFactory(parent=index, title="新しい記事", date="2026-03-01")
    draft = NewsPageFactory(parent=index, title="下書きの記事", date="2026-04-01", live=False)

    html = client.get("/news/").content.decode().replace("<wbr>", "")  # phrase breaks

    assert html.index(newer.title) < html.index(older.title)
    assert draft.title not in html


@pytest.mark.django_db
def test_news_index_paginates(client, home_page):
    index = NewsIndexPageFactory(parent=home_page, slug="news")
    for _ in range(NewsIndexPage.page_size + 2):
        NewsPageFactory(parent=index)

    first = client.get("/news/")
    second = client.get("/news/?page=2")

    assert len(first.context["articles"]) == NewsIndexPage.page_size
    assert len(second.context["articles"]) == 2
    assert "2ページ中1ページ目" in first.content.decode()


@pytest.mark.django_db
def test_menu_shows_only_live_pages_marked_for_menus(client, home_page):
    StandardPageFactory(parent=home_page, title="メニューに出す", show_in_menus=True)
    StandardPageFactory(parent=home_page, title="メニューに出さない", show_in_menus=False)
    StandardPageFactory(parent=home_page, title="非公開", show_in_menus=True, live=False)

    html = client.get("/").content.decode()
    nav = html[html.index('class="main-menu"') : html.index("</nav>")]

    assert "メニューに出す" in nav
    assert "メニューに出さない" not in nav
    assert "非公開" not in nav


@pytest.mark.django_db
def test_impact_figures_block_renders_figures(client, home_page):
    home_page.body = [
        (
            "impact_figures",
            {
                "heading": "2年間の歩み",
                "figures": [
                    {"value": "6.18", "unit": "t", "label": "届けた食品", "note": ""},
                    {"value": "2151", "unit": "点", "label": "日用品・文具・玩具", "note": ""},
                ],
            },
        )
    ]
    home_page.save_revision().publish()

    html = client.get("/").content.decode()

    assert "6.18<small>t</small>" in html
    assert "2,151<small>点</small>" in html
    assert "日用品・文具・玩具" in html


@pytest.mark.django_db
def test_news_article_is_routed_in_one_query_and_unknown_or_draft_ones_are_not_found(
    client, home_page
):
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    index = NewsIndexPageFactory(parent=home_page, slug="news")
    article = NewsPageFactory(parent=index, slug="pantry")
    NewsPageFactory(parent=index, slug="draft", live=False)
    index = Page.objects.get(pk=index.pk).specific
    request = RequestFactory().get("/news/pantry/")

    with CaptureQueriesContext(connection) as queries:
        page, _args, _kwargs = index.route(request, ["pantry"])
        assert (page.image, page.get_parent()) == (None, index)
    assert type(page) is NewsPage and page.pk == article.pk
    assert len(queries) == 1

    assert client.get(article.url).status_code == 200
    assert client.get("/news/draft/").status_code == 404
    assert client.get("/news/unknown/").status_code == 404

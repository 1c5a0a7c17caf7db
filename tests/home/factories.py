import datetime

import factory
from wagtail.test.utils.wagtail_factories import PageFactory

from home.models import NewsIndexPage, NewsPage, StandardPage


class StandardPageFactory(PageFactory):
    title = factory.Sequence(lambda n: f"ページ{n}")
    intro = "地域の子どもを支える取り組みです。"

    class Meta:
        model = StandardPage


class NewsIndexPageFactory(PageFactory):
    title = "活動報告"

    class Meta:
        model = NewsIndexPage


class NewsPageFactory(PageFactory):
    title = factory.Sequence(lambda n: f"お知らせ{n}")
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    summary = "フードパントリーを開催しました。"

    class Meta:
        model = NewsPage

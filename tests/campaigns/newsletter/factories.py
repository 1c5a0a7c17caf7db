import factory
from wagtail.test.utils.wagtail_factories import PageFactory

from campaigns.newsletter.models import AudienceSegment, NewsletterIndexPage, NewsletterPage
from members.models import ConsentRecord
from members.services import consent_record
from tests.members.factories import SupporterFactory


class NewsletterIndexPageFactory(PageFactory):
    title = "メールニュース"
    slug = "mail-news"

    class Meta:
        model = NewsletterIndexPage


class NewsletterPageFactory(PageFactory):
    title = factory.Sequence(lambda n: f"{{name}}さん、第{n}号です")
    slug = factory.Sequence(lambda n: f"issue-{n}")
    greeting = "{name} 様"
    preheader = "夏休みの食支援のご報告"
    body = factory.LazyFunction(
        lambda: [("paragraph", "<p>いつもありがとうございます、{name}さん。</p>")]
    )
    is_public = True

    class Meta:
        model = NewsletterPage


def subscriber(**fields):
    """An active supporter who asked for the newsletter."""
    supporter = SupporterFactory(**fields)
    consent_record(
        supporter=supporter,
        kind=ConsentRecord.Kind.NEWSLETTER,
        granted=True,
        source=ConsentRecord.Source.JOIN_FORM,
    )
    return supporter


def everyone(**fields) -> AudienceSegment:
    return AudienceSegment.objects.create(name=fields.pop("name", "全員"), **fields)


def issue(home_page, **fields) -> NewsletterPage:
    index = NewsletterIndexPage.objects.first() or NewsletterIndexPageFactory(parent=home_page)
    return NewsletterPageFactory(parent=index, **fields)

"""Demo mail news: the archive, two issues (one public, one for e-mail only), an audience,
the campaign review workflow on the archive. Fast: no mailing is sent."""

from wagtail.models import Locale, Page, Workflow, WorkflowPage

from campaigns.models import CampaignPage
from campaigns.workflow_names import CAMPAIGN_REVIEW
from ouendan.core.demo import page_translate, page_upsert

from .models import AudienceSegment, NewsletterIndexPage, NewsletterPage


def newsletter_demo_build(*, home: Page) -> None:
    """Build under `home`, the Japanese home page (home's demo command passes it)."""
    index = page_upsert(
        parent=home,
        model=NewsletterIndexPage,
        slug="mail-news",
        title="メールニュース",
        intro="毎月お届けしているメールニュースのバックナンバーです。",
    )
    workflow = Workflow.objects.filter(name=CAMPAIGN_REVIEW, active=True).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    campaign = CampaignPage.objects.live().filter(locale=home.locale).first()
    body = [
        ("heading", "夏休みの食支援、ありがとうございました"),
        (
            "paragraph",
            "<p>{name}さん、いつも応援ありがとうございます。この夏は延べ320食のお昼ごはんを"
            "子どもたちに届けることができました。</p>",
        ),
    ]
    if campaign is not None:
        body.append(("campaign_card", {"page": campaign}))
    public = page_upsert(
        parent=index,
        model=NewsletterPage,
        slug="2026-08",
        title="応援団ニュース 2026年8月号",
        preheader="夏休みの食支援のご報告と、秋のフードドライブのお知らせ",
        greeting="{name} 様",
        is_public=True,
        body=body,
    )
    page_upsert(
        parent=index,
        model=NewsletterPage,
        slug="2026-09-members",
        title="会員の皆さまへ: 総会のご案内",
        preheader="10月の総会のご案内です(メールのみでお届けしています)",
        greeting="{name} 様",
        is_public=False,
        body=[("paragraph", "<p>今年の総会は10月12日(日)に開催します。</p>")],
    )
    english = Locale.objects.filter(language_code="en").first()
    if english is not None and home.get_translation_or_none(english) is not None:
        page_translate(page=index, locale=english, title="Mail news", intro="Past issues.")
        page_translate(
            page=public,
            locale=english,
            title="Ouendan news, August 2026",
            preheader="Thank you for the summer meals",
            greeting="Dear {name},",
            body=[("paragraph", "<p>Thank you, {name}: 320 lunches this summer.</p>")],
        )
    AudienceSegment.objects.get_or_create(
        name="ボランティアの皆さん",
        defaults={"description": "ニュースを希望しているボランティア", "volunteer": "yes"},
    )
    AudienceSegment.objects.get_or_create(
        name="昨年ご寄付いただいた方(LYBUNT)",
        defaults={"description": "昨年はご寄付があり、今年はまだの方", "lapsed": "lybunt"},
    )

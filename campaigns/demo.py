"""Demo campaigns: an index, three campaigns (active, active, ended) with goals, gifts recorded
through the ledger service, and the supporters' wall. Idempotent; dates follow today's date so
the demo always has campaigns running."""

import datetime
from decimal import Decimal

from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Locale, Page

from donations.goods import services as goods_services
from donations.goods.models import Pledge, PledgePage, WishlistItem
from donations.goods.rules import GoodsLine
from donations.models import DonatePage, Donation
from donations.services import StripeKeys, donation_record, donation_refund
from members.models import Supporter
from ouendan.core.demo import page_translate, page_upsert

from .models import CampaignGoodsGoal, CampaignIndexPage, CampaignPage, SupportersWallPage

HERO_TITLE = "デモ: 子どもひろばのイメージ"  # the image the home demo generates

CAMPAIGNS = [
    {
        "slug": "summer-meals",
        "title": "夏休みの食支援",
        "title_en": "Summer holiday meals",
        "summary": "給食のない夏休み、子どもたちにお昼ごはんとお米を届けます。",
        "summary_en": "No school lunches over the summer: we bring lunches and rice to children.",
        "body": "<p>夏休みの40日間、給食がなくなることで食事に困る家庭が増えます。子ども食堂の"
        "お昼ごはん営業と、お米・レトルト食品の配布を行います。</p>",
        "body_en": "<p>For forty days without school lunches, more families struggle. Our "
        "children's places open for lunch and we hand out rice and ready meals.</p>",
        "goal_yen": 500_000,
        "start": -20,
        "end": 25,
        "goods": True,
        "updates": [
            (-5, "お米300kgが届きました", "<p>地元の農家さんからお米をご提供いただきました。</p>"),
            (-15, "キャンペーンを開始しました", "<p>今年も夏休みの食支援をはじめます。</p>"),
        ],
        # (supporter index, amount, method, days ago, show name, show amount)
        "gifts": [
            (0, 10_000, Donation.Method.CARD, 2, True, True),
            (1, 5_000, Donation.Method.KONBINI, 4, True, False),
            (2, 30_000, Donation.Method.BANK_TRANSFER, 6, False, False),
            (3, 3_000, Donation.Method.CARD, 8, True, False),
            (4, 50_000, Donation.Method.BANK_TRANSFER, 10, True, True),
            (5, 10_000, Donation.Method.CASH, 12, False, False),
            (6, 5_000, Donation.Method.CARD, 15, True, False),
        ],
        "refund": 6,  # index into gifts: refunded in full (card payment disputed and returned)
    },
    {
        "slug": "new-year-kitchen",
        "title": "年末年始の子ども食堂",
        "title_en": "New Year children's kitchen",
        "summary": "お店も学校も休みになる年末年始に、あたたかいごはんと居場所をひらきます。",
        "summary_en": "Warm meals and a place to be over the New Year holidays.",
        "body": "<p>12月29日から1月3日まで、子ども食堂を毎日ひらきます。食材費と会場費を"
        "ご支援ください。</p>",
        "body_en": "<p>From 29 December to 3 January the children's kitchen opens every day. "
        "Please help with food and venue costs.</p>",
        "goal_yen": 300_000,
        "start": -3,
        "end": 60,
        "goods": False,
        "updates": [],
        "gifts": [
            (7, 3_000, Donation.Method.CARD, 1, True, True),
            (8, 10_000, Donation.Method.BANK_TRANSFER, 2, True, False),
        ],
    },
    {
        "slug": "spring-school-start",
        "title": "春の新生活応援",
        "title_en": "Spring school start",
        "summary": "新入学の子どもたちに、ランドセルと文房具を届けました。",
        "summary_en": "School bags and stationery for children starting school.",
        "body": "<p>おかげさまで目標を達成し、32人の新1年生に学用品を届けることができました。</p>",
        "body_en": "<p>Thanks to you we reached the goal and equipped 32 new first-graders.</p>",
        "goal_yen": 100_000,
        "start": -240,
        "end": -200,
        "goods": False,
        "updates": [(-200, "目標を達成しました", "<p>ご支援ありがとうございました。</p>")],
        "gifts": [
            (9, 50_000, Donation.Method.BANK_TRANSFER, 230, True, True),
            (0, 30_000, Donation.Method.CARD, 220, True, False),
            (1, 30_000, Donation.Method.CARD, 210, True, False),
        ],
    },
]

DONATE_BLOCKS = [
    ("一回のご寄付", "one_off", [3000, 5000, 10000]),
    ("毎月のご寄付", "monthly", [1000, 3000]),
]
DONATE_BLOCKS_EN = [
    ("Give once", "one_off", [3000, 5000, 10000]),
    ("Give monthly", "monthly", [1000, 3000]),
]


def _donate_blocks(page, specs):
    return [
        (
            "donate",
            {"heading": heading, "text": "", "page": page, "frequency": freq, "amounts": amounts},
        )
        for heading, freq, amounts in specs
    ]


def _updates(today, rows):
    return [
        ("update", {"date": today + datetime.timedelta(days=days), "heading": head, "text": text})
        for days, head, text in rows
    ]


def campaigns_demo_build(*, home: Page) -> None:
    """Build under `home`, the Japanese home page (home's demo command passes it)."""
    english = Locale.objects.filter(language_code="en").first()
    translate = english is not None and home.get_translation_or_none(english) is not None
    donate = DonatePage.objects.filter(locale=home.locale).first()
    donate_en = donate.get_translation_or_none(english) if donate and translate else None
    hero = Image.objects.filter(title=HERO_TITLE).first()
    pledge_page = PledgePage.objects.live().filter(locale=home.locale).first()
    today = timezone.localdate()

    index = page_upsert(
        parent=home,
        model=CampaignIndexPage,
        slug="campaigns",
        title="キャンペーン",
        intro="目標をかかげて、期間を決めてご支援をお願いしています。",
        show_in_menus=True,
    )
    wall = page_upsert(
        parent=home,
        model=SupportersWallPage,
        slug="thank-you-wall",
        title="応援してくださった皆さま",
        intro="ご寄付をいただいた皆さま、ありがとうございます(お名前の掲載に同意された方のみ)。",
    )
    if translate:
        page_translate(
            page=index,
            locale=english,
            title="Campaigns",
            intro="Time-limited appeals with a goal.",
        )
        page_translate(
            page=wall,
            locale=english,
            title="Our supporters",
            intro="Thank you to everyone who gave (named with their agreement).",
        )

    supporters = list(Supporter.objects.filter(status=Supporter.Status.ACTIVE).order_by("pk")[:10])
    now = timezone.now()
    for spec in CAMPAIGNS:
        goods = []
        if spec["goods"]:
            items = WishlistItem.objects.filter(active=True).order_by("sort_order", "pk")[:2]
            goods = [
                CampaignGoodsGoal(wishlist_item=item, target_quantity=item.quantity_needed)
                for item in items
            ]
        page = page_upsert(
            parent=index,
            model=CampaignPage,
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            body=[("paragraph", spec["body"])],
            goal_yen=spec["goal_yen"],
            start_date=today + datetime.timedelta(days=spec["start"]),
            end_date=today + datetime.timedelta(days=spec["end"]),
            hero_image=hero,
            donate=_donate_blocks(donate, DONATE_BLOCKS) if donate else [],
            pledge_page=pledge_page if spec["goods"] else None,
            updates=_updates(today, spec["updates"]),
            goods_goals=goods,
        )
        if translate:
            page_translate(
                page=page,
                locale=english,
                title=spec["title_en"],
                summary=spec["summary_en"],
                body=[("paragraph", spec["body_en"])],
                donate=_donate_blocks(donate_en, DONATE_BLOCKS_EN) if donate_en else [],
                updates=[],
            )
        if spec["goods"] and goods:
            _campaign_delivery(page=page, item=goods[0].wishlist_item, today=today)
        if len(supporters) < 10:
            continue
        for n, (index_, amount, method, days_ago, show_name, show_amount) in enumerate(
            spec["gifts"]
        ):
            reference = f"campaign-demo-{spec['slug']}-{n}"
            online = method in (Donation.Method.CARD, Donation.Method.KONBINI)
            if not online and Donation.objects.filter(note=reference).exists():
                continue
            donation, _created = donation_record(
                supporter=supporters[index_],
                kind=Donation.Kind.ONE_OFF,
                method=method,
                amount_yen=amount,
                paid_at=now - datetime.timedelta(days=days_ago, hours=n),
                stripe_keys=StripeKeys(checkout_session_id=f"cs_{reference}") if online else None,
                campaign_id=page.pk,
                show_name=show_name,
                show_amount=show_amount,
                note="" if online else reference,
            )
            if spec.get("refund") == n:
                donation_refund(donation=donation, refunded_total_yen=donation.amount_yen)


RICE_DAYS_AGO = 5  # the summer campaign's update "お米300kgが届きました", five days ago


def _campaign_delivery(*, page: CampaignPage, item: WishlistItem, today: datetime.date) -> None:
    """The 300 kg of rice the campaign's update announces, pledged for the campaign and received:
    the campaign, the wishlist and the impact page all count it (goods_progress)."""
    reference = "campaign-demo-rice"
    company = (
        Supporter.objects.filter(kind=Supporter.Kind.ORGANISATION, status=Supporter.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if company is None or Pledge.objects.filter(import_reference=reference).exists():
        return
    received_on = today - datetime.timedelta(days=RICE_DAYS_AGO)
    offered_on = received_on - datetime.timedelta(days=3)
    best_before = received_on + datetime.timedelta(days=item.min_best_before_days + 90)
    pledge = goods_services.pledge_offer(
        supporter=company,
        lines=[
            GoodsLine(
                category=item.category,
                description="お米（地元農家さんより）",
                quantity=Decimal("300"),
                unit=item.unit,
                estimated_value_yen=120_000,
                best_before=best_before,
                wishlist_item_id=item.pk,
            )
        ],
        first_delivery_on=received_on,
        campaign_id=page.pk,
        source=Pledge.Source.STAFF,
        import_reference=reference,
        accepted=True,
        created_at=timezone.make_aware(datetime.datetime.combine(offered_on, datetime.time(10))),
        today=offered_on,
    )
    pledged = pledge.lines.get()
    goods_services.delivery_record(
        pledge=pledge,
        received_on=received_on,
        received_by="倉庫 田中",
        lines=[
            GoodsLine(
                category=pledged.category,
                description=pledged.description,
                quantity=pledged.quantity,
                unit=pledged.unit,
                estimated_value_yen=pledged.estimated_value_yen,
                best_before=best_before,
                pledge_line_id=pledged.pk,
            )
        ],
        thank=False,
        today=today,
    )

# ruff: noqa: E501  (Japanese demo text reads better unbroken)
"""Demo goods for さくら野 子どもの未来応援団: wishlist, company pledges in every state, two years
of deliveries and the pledge page. Called by `manage.py demo` (the lead wires it in).

The deliveries add up to the seed figures of two years of the real network: 6.18 t of food and
2,151 items of daily goods, stationery and toys. Idempotent: pledges carry a demo reference and
are only created once; lists and pages are upserted.
"""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from wagtail.models import Locale, Page

from members.models import ConsentRecord, Supporter
from members.services import consent_record, supporter_find_or_create
from ouendan.core.demo import page_translate, page_upsert

from . import services
from .models import CorporateWallEntry, Pledge, PledgePage, WishlistItem
from .rules import GoodsLine

PLEDGE_INTRO = (
    "<p>食品・日用品・文具・おもちゃのご寄付を受け付けています。企業・団体の皆さまからの定期的なご提供は、"
    "子ども食堂・フードパントリー・ひとり親家庭への支援を支える大きな力です。"
    "下の「いま必要なもの」から選ぶか、お申し出の内容をご記入ください。</p>"
)
PLEDGE_INTRO_EN = (
    "<p>We welcome food, daily goods, stationery and toys. Regular gifts from companies keep the "
    "children's places, the food pantry and our support for single-parent families going. Pick "
    "from “What we need now” or tell us what you can offer.</p>"
)
WAREHOUSE = "さくら野市本町2-4-1 さくら野フードバンク倉庫\n受付：火・木・土 10:00〜16:00"

WISHLIST_LISTED_DAYS_AGO = 20
WISHLIST = [
    # name, category, unit, needed, storage, min days, notes, needed in days
    ("お米", "food", "kg", "2400", "ambient", 60, "精米日から1か月以内のもの", 60),
    ("野菜・果物", "food", "kg", "1800", "chilled", 3, "冷蔵で届けてください", 30),
    ("レトルト食品・缶詰", "food", "items", "1000", "ambient", 90, "賞味期限まで3か月以上", 90),
    ("冷凍食品", "food", "kg", "300", "frozen", 30, "冷凍庫の空きを確認してからお送りします", 45),
    (
        "ノート・鉛筆などの文具",
        "stationery",
        "items",
        "800",
        "ambient",
        0,
        "新学期前に配付します",
        120,
    ),
    ("紙おむつ", "daily_goods", "boxes", "60", "ambient", 0, "Sサイズ・Mサイズ", 60),
]

# Companies of the members demo (by e-mail) and two that only give goods.
GOODS_COMPANIES = [
    (
        "demo-goods-01@example.jp",
        "さくら野食品株式会社",
        "サクラノショクヒンカブシキガイシャ",
        "山本 健",
    ),
    (
        "demo-goods-02@example.jp",
        "ひまわりドラッグ株式会社",
        "ヒマワリドラッグカブシキガイシャ",
        "井上 春香",
    ),
]
MIDORI = "demo-company-02@example.jp"  # 株式会社みどり青果
SHINKIN = "demo-company-01@example.jp"  # さくら野信用金庫
INSATSU = "demo-company-03@example.jp"  # 有限会社さくら野印刷
SHOKOKAI = "demo-company-04@example.jp"  # さくら野商工会
FOODS = "demo-goods-01@example.jp"
DRUG = "demo-goods-02@example.jp"

# (reference, company, recurrence, months between, deliveries so far, lines, final state)
# lines: (wishlist name or None, category, description, quantity per delivery, unit, value yen)
# Food: 24 × 150 + 8 × 250 + 2 × 290 = 6,180 kg. Goods: 1,051 + 800 + 300 = 2,151 items.
HISTORY = [
    (
        "demo-inkind-01",
        MIDORI,
        "monthly",
        1,
        24,
        [("野菜・果物", "food", "規格外野菜・果物", "150", "kg", 45000)],
    ),
    (
        "demo-inkind-02",
        FOODS,
        "quarterly",
        3,
        8,
        [("お米", "food", "お米（30kg袋）", "250", "kg", 100000)],
    ),
    (
        "demo-inkind-03",
        SHINKIN,
        "once",
        0,
        1,
        [(None, "food", "フードドライブの食品（重量）", "290", "kg", 120000)],
    ),
    (
        "demo-inkind-04",
        SHINKIN,
        "once",
        0,
        1,
        [(None, "food", "年末フードドライブの食品", "290", "kg", 116000)],
    ),
    (
        "demo-inkind-05",
        INSATSU,
        "once",
        0,
        1,
        [("ノート・鉛筆などの文具", "stationery", "ノート・鉛筆・消しゴム", "600", "items", 90000)],
    ),
    (
        "demo-inkind-06",
        INSATSU,
        "once",
        0,
        1,
        [("ノート・鉛筆などの文具", "stationery", "自由帳・色鉛筆", "451", "items", 67650)],
    ),
    (
        "demo-inkind-07",
        SHOKOKAI,
        "once",
        0,
        1,
        [
            (None, "toys", "クリスマスのおもちゃ", "300", "items", 150000),
            (None, "daily_goods", "タオル・石けん・歯ブラシ", "500", "items", 75000),
        ],
    ),
    (
        "demo-inkind-08",
        DRUG,
        "once",
        0,
        1,
        [(None, "daily_goods", "生理用品・シャンプー", "300", "items", 60000)],
    ),
]
# Open work for staff to try the workflow: no deliveries, so the totals above stay exact.
OPEN = [
    (
        "demo-inkind-20",
        FOODS,
        Pledge.State.OFFERED,
        [("お米", "food", "お米（10kg袋）", "200", "kg", 80000)],
    ),
    (
        "demo-inkind-21",
        DRUG,
        Pledge.State.SCHEDULED,
        [("紙おむつ", "daily_goods", "紙おむつ Mサイズ", "20", "boxes", 40000)],
    ),
    (
        "demo-inkind-22",
        SHOKOKAI,
        Pledge.State.DECLINED,
        [(None, "other", "中古の家電", "3", "items", 0)],
    ),
]
WALL = [SHINKIN, MIDORI, FOODS, INSATSU, DRUG]


def _companies() -> dict[str, Supporter]:
    for email, name, kana, contact in GOODS_COMPANIES:
        supporter_find_or_create(
            email=email,
            defaults={
                "kind": Supporter.Kind.ORGANISATION,
                "status": Supporter.Status.ACTIVE,
                "source": Supporter.Source.STAFF,
                "organisation_name": name,
                "organisation_name_kana": kana,
                "contact_person": contact,
                "prefecture": "埼玉県",
                "city": "さくら野市",
                "confirmed_at": timezone.now(),
            },
        )
    emails = [MIDORI, SHINKIN, INSATSU, SHOKOKAI, FOODS, DRUG]
    return {s.email: s for s in Supporter.objects.filter(email__in=emails)}


def _wishlist(today: datetime.date) -> dict[str, WishlistItem]:
    items = {}
    for order, (name, category, unit, needed, storage, days, notes, due) in enumerate(WISHLIST):
        item, _created = WishlistItem.objects.update_or_create(
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "quantity_needed": Decimal(needed),
                "storage": storage,
                "min_best_before_days": days,
                "notes": notes,
                "needed_by": today + datetime.timedelta(days=due),
                "sort_order": order,
                "active": True,
                # Listed when the summer campaign began (campaigns/demo.py): both count the same
                # goods received since then (selectors.goods_progress).
                "created_at": timezone.make_aware(
                    datetime.datetime.combine(
                        today - datetime.timedelta(days=WISHLIST_LISTED_DAYS_AGO), datetime.time(9)
                    )
                ),
            },
        )
        items[name] = item
    return items


def _lines(rows, items) -> list[GoodsLine]:
    return [
        GoodsLine(
            category=category,
            description=description,
            quantity=Decimal(quantity),
            unit=unit,
            estimated_value_yen=value,
            wishlist_item_id=items[wish].pk if wish else None,
        )
        for wish, category, description, quantity, unit, value in rows
    ]


def _months_back(today: datetime.date, months: int) -> datetime.date:
    return today - relativedelta(months=months)


def _history(companies, items, today: datetime.date) -> None:
    two_years_ago = _months_back(today, 24)
    for number, (reference, email, recurrence, step, count, rows) in enumerate(HISTORY):
        if Pledge.objects.filter(import_reference=reference).exists():
            continue
        first = two_years_ago + datetime.timedelta(days=10 + number * 17)
        if recurrence == "once":
            first = two_years_ago + datetime.timedelta(days=40 + number * 80)
        offered_on = first - datetime.timedelta(days=14)
        until = _months_back(today, -12) if recurrence != "once" else None
        pledge = services.pledge_offer(
            supporter=companies[email],
            lines=_lines(rows, items),
            recurrence=recurrence,
            first_delivery_on=first,
            recurrence_until=until,
            source=Pledge.Source.STAFF,
            import_reference=reference,
            accepted=True,
            created_at=timezone.make_aware(
                datetime.datetime.combine(offered_on, datetime.time(11))
            ),
            today=offered_on,
        )
        services.pledge_schedule(pledge=pledge, first_delivery_on=first, today=offered_on)
        pledged = list(pledge.lines.order_by("sort_order"))
        for delivery_number in range(count):
            received_on = first + relativedelta(months=step * delivery_number)
            if received_on > today:
                break
            services.delivery_record(
                pledge=pledge,
                received_on=received_on,
                received_by=("倉庫 田中", "倉庫 鈴木", "事務局 高橋")[delivery_number % 3],
                lines=[
                    GoodsLine(
                        category=line.category,
                        description=line.description,
                        quantity=line.quantity,
                        unit=line.unit,
                        estimated_value_yen=line.estimated_value_yen,
                        pledge_line_id=line.pk,
                    )
                    for line in pledged
                ],
                thank=False,
                today=today,
            )
        services.expected_deliveries_generate(pledge=pledge, today=today)


def _open_pledges(companies, items, today: datetime.date) -> None:
    for reference, email, state, rows in OPEN:
        if Pledge.objects.filter(import_reference=reference).exists():
            continue
        offered_on = today - datetime.timedelta(days=20)
        pledge = services.pledge_offer(
            supporter=companies[email],
            lines=_lines(rows, items),
            source=Pledge.Source.WEB,
            import_reference=reference,
            message="倉庫への搬入日時はご相談させてください。",
            created_at=timezone.make_aware(
                datetime.datetime.combine(offered_on, datetime.time(15))
            ),
            today=offered_on,
        )
        if state == Pledge.State.SCHEDULED:
            services.pledge_accept(pledge=pledge)
            # Due last week and not here yet: it shows in the overdue list.
            services.pledge_schedule(
                pledge=pledge,
                first_delivery_on=today - datetime.timedelta(days=7),
                today=offered_on,
            )
        elif state == Pledge.State.DECLINED:
            services.pledge_decline(pledge=pledge, reason="家電は保管・配付ができないため")


def _wall(companies) -> None:
    for order, email in enumerate(WALL):
        supporter = companies.get(email)
        if supporter is None:
            continue
        CorporateWallEntry.objects.get_or_create(
            supporter=supporter, defaults={"sort_order": order, "link": "https://example.jp/"}
        )
        consent_record(
            supporter=supporter,
            kind=ConsentRecord.Kind.SUPPORTERS_WALL,
            granted=True,
            source=ConsentRecord.Source.STAFF,
        )


def _wall_on_support_page(home: Page) -> None:
    """Show the corporate supporters wall at the end of the "Ways to support" page (JA and EN)."""
    support = Page.objects.child_of(home).filter(slug="support").first()
    if support is None:
        return
    for page in [support, *support.get_translations()]:
        page = page.specific
        if any(block.block_type == "corporate_wall" for block in page.body):
            continue
        heading = (
            "ご支援いただいている企業・団体"
            if page.locale_id == home.locale_id
            else ("Companies supporting us")
        )
        page.body = [
            *((block.block_type, block.value) for block in page.body),
            ("corporate_wall", {"heading": heading, "intro": ""}),
        ]
        page.save_revision().publish()


def inkind_demo_build(*, home: Page) -> None:
    """Build under `home`, the Japanese home page (home's demo command passes it)."""
    page = page_upsert(
        parent=home,
        model=PledgePage,
        slug="goods",
        title="物品のご寄付",
        intro=PLEDGE_INTRO,
        warehouse_address=WAREHOUSE,
        show_in_menus=True,
    )
    english = Locale.objects.filter(language_code="en").first()
    if english and home.get_translation_or_none(english):
        page_translate(page=page, locale=english, title="Give goods", intro=PLEDGE_INTRO_EN)

    today = timezone.localdate()
    companies = _companies()
    if not all(email in companies for email in (MIDORI, SHINKIN, INSATSU, SHOKOKAI)):
        return  # the members demo has not run
    items = _wishlist(today)
    _history(companies, items, today)
    _open_pledges(companies, items, today)
    _wall(companies)
    _wall_on_support_page(home)

# ruff: noqa: E501  (Japanese demo text reads better unbroken)
"""Demo places of the fictional さくら野 子どもの未来応援団 (called by `manage.py demo` after the
members demo, which makes the 17 school districts): the seed report's 29 children's places
(8 of them open every week), the food bank's warehouse and its pantry days, pins around a real-
looking town (新座市, Saitama, about 35.79N 139.56E) and the 居場所マップ page.

Idempotent: places are upserted by slug, and schedules are only made for a place that has none.
"""

import datetime
from collections.abc import Callable

from wagtail.models import Locale, Page

from members.demo import CHILDRENS_PLACES
from members.models import Area

from .models import Offer, Place, PlaceSchedule
from .pages import PlaceIndexPage

CENTRE = (35.7936, 139.5653)
TOWNS = ["本町", "東町", "栄", "旭が丘", "緑町", "若葉", "泉町", "桜台", "新町", "向陽台"]
T = datetime.time
# Weekly schedules of the eight regular places (index in CHILDRENS_PLACES → rules).
REGULAR = {
    0: [("weekly", 2, [], None, T(16, 30), T(19, 0), "夕食は17:30から")],
    1: [("weekly", 4, [], None, T(16, 0), T(19, 0), "")],
    2: [("weekly", 5, [], None, T(11, 0), T(14, 0), "昼食つき")],
    4: [("weekly", 0, [], None, T(17, 0), T(19, 30), "")],
    5: [
        ("weekly", 1, [], None, T(16, 0), T(18, 0), "中学生"),
        ("weekly", 3, [], None, T(16, 0), T(18, 0), "小学生"),
    ],
    6: [("weekly", 2, [], None, T(18, 0), T(20, 0), "")],
    7: [("weekly", 6, [], None, T(10, 0), T(16, 0), "雨天中止")],
    9: [("weekly", 5, [], None, T(10, 0), T(15, 0), "")],
}
# The other places open once or twice a month (a few announce their dates instead).
MONTHLY = [
    ("monthly_weekday", 5, [2, 4], None, T(11, 0), T(14, 0), ""),
    ("monthly_weekday", 2, [1, 3], None, T(16, 0), T(19, 0), ""),
    ("monthly_weekday", 6, [-1], None, T(11, 30), T(13, 30), ""),
    ("monthly_date", None, [], 15, T(17, 0), T(19, 0), "15日が土日なら休み"),
    ("monthly_weekday", 5, [3], None, T(10, 0), T(13, 0), ""),
    None,  # dates announced on the news page
]
FOOD_BANK = [
    # slug, name, name_en, kind, schedules, offers, audience
    (
        "foodbank-warehouse",
        "フードバンクさくら野 倉庫",
        "Sakurano Food Bank warehouse",
        Place.Kind.WAREHOUSE,
        [
            ("weekly", 2, [], None, T(10, 0), T(15, 0), "仕分けボランティア"),
            ("weekly", 5, [], None, T(9, 0), T(12, 0), "企業からの受け入れ"),
        ],
        [Offer.FOOD],
        "食品の寄付・仕分けボランティア",
    ),
    (
        "food-pantry",
        "フードパントリー さくら野",
        "Sakurano food pantry",
        Place.Kind.PANTRY,
        [("monthly_weekday", 5, [2, 4], None, T(10, 0), T(12, 0), "予約制・ひとり親家庭")],
        [Offer.FOOD],
        "ひとり親家庭・生活にお困りの家庭",
    ),
]


def _kind(name: str) -> tuple[str, list[str], str]:
    if "学習" in name:
        return Place.Kind.STUDY, [Offer.STUDY, Offer.FOOD], "小学生・中学生"
    if "食堂" in name:
        return (
            Place.Kind.KODOMO_SHOKUDO,
            [Offer.FOOD, Offer.PLAY],
            "子どもと保護者、地域のどなたでも",
        )
    return Place.Kind.PLAY, [Offer.PLAY], "小学生（未就学児は保護者と）"


def _pin(index: int) -> tuple[float, float]:
    lat = CENTRE[0] + ((index * 37) % 41 - 20) * 0.0009
    lng = CENTRE[1] + ((index * 53) % 43 - 21) * 0.0011
    return round(lat, 6), round(lng, 6)


def _place(index, *, slug, name, name_en, kind, offers, audience, district, is_regular, rules):
    lat, lng = _pin(index)
    town = TOWNS[index % len(TOWNS)]
    place, _created = Place.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "name_en": name_en,
            "kind": kind,
            "district": district,
            "is_regular": is_regular,
            "is_active": True,
            "offers": [str(offer) for offer in offers],
            "audience": audience,
            "description": f"{district.name}の{name}です。はじめての方もお気軽にどうぞ。",
            "access": f"さくら野駅から徒歩{5 + index % 15}分。駐車場はありません。",
            "accessibility": "入口に段差なし・多目的トイレあり" if index % 3 == 0 else "",
            "postal_code": f"352-00{10 + index % 30:02d}",
            "address": f"埼玉県さくら野市{town}{index % 5 + 1}-{index % 9 + 1}-{index % 7 + 1}",
            "latitude": lat,
            "longitude": lng,
            "phone": f"048-400-{2000 + index:04d}",
            "show_phone": index % 2 == 0,
        },
    )
    if not place.schedules.exists():
        for order, (frequency, weekday, weeks, day, start, end, note) in enumerate(rules):
            PlaceSchedule(
                place=place,
                sort_order=order,
                frequency=frequency,
                weekday=weekday,
                weeks=weeks,
                day_of_month=day,
                start_time=start,
                end_time=end,
                note=note,
            ).save()
    return place


def _places() -> None:
    districts = list(Area.objects.filter(kind=Area.Kind.SCHOOL_DISTRICT).order_by("sort_order"))
    for index, name in enumerate(CHILDRENS_PLACES):
        kind, offers, audience = _kind(name)
        monthly = MONTHLY[index % len(MONTHLY)]
        rules = REGULAR.get(index) or ([monthly] if monthly else [])
        _place(
            index,
            slug=f"hiroba-{index + 1:02d}",
            name=name,
            name_en="",
            kind=kind,
            offers=offers,
            audience=audience,
            district=districts[index % len(districts)],
            is_regular=index in REGULAR,
            rules=rules,
        )
    for offset, (slug, name, name_en, kind, rules, offers, audience) in enumerate(FOOD_BANK):
        _place(
            len(CHILDRENS_PLACES) + offset,
            slug=slug,
            name=name,
            name_en=name_en,
            kind=kind,
            offers=offers,
            audience=audience,
            district=districts[0],
            is_regular=True,
            rules=rules,
        )


INTRO = (
    "<p>さくら野市の子ども食堂・学習支援・遊び場・フードパントリーを探せます。"
    "校区・種類・曜日でしぼりこみ、今週ひらく居場所も確かめられます。</p>"
)
INTRO_EN = (
    "<p>Find the children's cafeterias, study support, play spaces and the food pantry of "
    "Sakurano by school district, kind and day, and see which are open this week.</p>"
)


def places_demo_build(
    *,
    home: Page | None = None,
    page_upsert: Callable[..., Page] | None = None,
    page_translate: Callable[..., Page] | None = None,
) -> None:
    """The places and, given the home page and the page helpers, the 居場所マップ page."""
    _places()
    if home is None or page_upsert is None or page_translate is None:
        return
    page = page_upsert(
        parent=home,
        model=PlaceIndexPage,
        slug="places",
        title="居場所マップ",
        show_in_menus=True,
        intro=INTRO,
    )
    english = Locale.objects.filter(language_code="en").first()
    if english is not None and home.get_translation_or_none(english) is not None:
        page_translate(page=page, locale=english, title="Places map", intro=INTRO_EN)

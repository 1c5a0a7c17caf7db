# ruff: noqa: E501  (Japanese demo text reads better unbroken)
"""Demo members of the fictional さくら野 子どもの未来応援団 (called by `manage.py demo`).

Idempotent: lists are upserted by name, supporters by e-mail, and memberships and consents are
only created for supporters that have none yet, so running it again changes no counts.

The pages go under the home page the caller passes in, made with the caller's page helpers: home
is the layer above, so members never imports it.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone
from wagtail.models import Locale, Page

from .models import (
    Area,
    ConsentRecord,
    Interest,
    JoinPage,
    MemberPortalPage,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)
from .registry import fee_payment_record
from .services import consent_record, membership_start

# The 17 primary-school districts of さくら野市 (seed figure: a children's place in every one).
SCHOOL_DISTRICTS = [
    "中央小学校区",
    "東小学校区",
    "西小学校区",
    "南小学校区",
    "北小学校区",
    "桜台小学校区",
    "緑ヶ丘小学校区",
    "若葉台小学校区",
    "富士見小学校区",
    "本町小学校区",
    "新町小学校区",
    "旭小学校区",
    "栄小学校区",
    "泉小学校区",
    "青葉小学校区",
    "向陽小学校区",
    "大和田小学校区",
]

# The seed report's 29 children's places (子どもひろば 29カ所).
CHILDRENS_PLACES = [
    "子ども食堂 ひだまり",
    "子ども食堂 にじいろ",
    "子ども食堂 おひさま",
    "子ども食堂 こもれび",
    "地域食堂 みんなのテーブル",
    "学習支援教室 まなびば",
    "学習支援 ほしぞら塾",
    "プレーパーク さくらの森",
    "フリースペース ぽかぽか",
    "子どもひろば たんぽぽ",
    "居場所カフェ ひなた",
    "ママとこどもの食堂 わかば",
    "子ども食堂 すまいる",
    "子ども食堂 あおぞら",
    "子ども食堂 つばさ",
    "子ども食堂 ぽっかぽか",
    "地域食堂 えんがわ",
    "みんなの食堂 ふくふく",
    "学習支援 あすなろ教室",
    "学習支援 てらこや",
    "学習支援 ひかり塾",
    "子どもひろば すみれ",
    "子どもひろば どんぐり",
    "子どもひろば ひまわり",
    "フリースペース うさぎ小屋",
    "プレーパーク 川辺の広場",
    "居場所カフェ 木もれ日",
    "放課後ひろば なかよし",
    "子ども食堂 こころ",
]

SKILLS = ["調理", "学習支援", "送迎（運転）", "IT", "保育", "事務", "力仕事"]
INTERESTS = ["フードバンクの仕分け", "子どもひろばの手伝い", "パントリーでの配付", "イベント"]

PLANS = [
    # name, audience, period, yen, per unit, description
    ("個人会員", "person", "year", 3000, False, "会報と年次報告をお届けします。"),
    ("毎月サポーター", "person", "month", 1000, False, "毎月の寄付で活動を支えます。"),
    ("無料サポーター", "any", "none", 0, False, "お知らせとボランティアの募集をお届けします。"),
    (
        "法人会員",
        "organisation",
        "year",
        10000,
        True,
        "1口 年10,000円。何口でもお申し込みいただけます。",
    ),
]

PEOPLE = [
    ("山本", "さくら", "ヤマモト", "サクラ"),
    ("佐藤", "健一", "サトウ", "ケンイチ"),
    ("鈴木", "美咲", "スズキ", "ミサキ"),
    ("高橋", "翔太", "タカハシ", "ショウタ"),
    ("田中", "優子", "タナカ", "ユウコ"),
    ("伊藤", "大輔", "イトウ", "ダイスケ"),
    ("渡辺", "真由美", "ワタナベ", "マユミ"),
    ("中村", "拓也", "ナカムラ", "タクヤ"),
    ("小林", "恵", "コバヤシ", "メグミ"),
    ("加藤", "直樹", "カトウ", "ナオキ"),
    ("吉田", "陽子", "ヨシダ", "ヨウコ"),
    ("山田", "太郎", "ヤマダ", "タロウ"),
    ("佐々木", "彩", "ササキ", "アヤ"),
    ("山口", "誠", "ヤマグチ", "マコト"),
    ("松本", "裕子", "マツモト", "ユウコ"),
    ("井上", "浩二", "イノウエ", "コウジ"),
    ("木村", "千尋", "キムラ", "チヒロ"),
    ("林", "修", "ハヤシ", "オサム"),
    ("斎藤", "由美", "サイトウ", "ユミ"),
    ("清水", "亮", "シミズ", "リョウ"),
    ("山崎", "恵子", "ヤマザキ", "ケイコ"),
    ("森", "康弘", "モリ", "ヤスヒロ"),
    ("池田", "美穂", "イケダ", "ミホ"),
    ("橋本", "聡", "ハシモト", "サトシ"),
    ("阿部", "智子", "アベ", "トモコ"),
    ("石川", "隆", "イシカワ", "タカシ"),
    ("前田", "明美", "マエダ", "アケミ"),
    ("藤田", "和也", "フジタ", "カズヤ"),
    ("小川", "里美", "オガワ", "サトミ"),
    ("岡田", "勇気", "オカダ", "ユウキ"),
    ("後藤", "静香", "ゴトウ", "シズカ"),
    ("長谷川", "実", "ハセガワ", "ミノル"),
    ("村上", "さやか", "ムラカミ", "サヤカ"),
    ("近藤", "剛", "コンドウ", "ツヨシ"),
    ("Smith", "Emily", "スミス", "エミリー"),
    ("Nguyen", "Lan", "グエン", "ラン"),
]

COMPANIES = [
    ("さくら野信用金庫", "サクラノシンヨウキンコ", "地域貢献室", "大野 拓海"),
    ("株式会社みどり青果", "カブシキガイシャミドリセイカ", "総務部", "村田 一郎"),
    ("有限会社さくら野印刷", "ユウゲンガイシャサクラノインサツ", "", "原田 由香"),
    ("さくら野商工会", "サクラノショウコウカイ", "事務局", "西村 正"),
]

JOIN_INTRO = (
    "<p>会員・毎月のサポーター・ボランティアとして、さくら野の子どもたちを一緒に応援してください。"
    "ご登録のメールアドレスに確認のリンクをお送りします。</p>"
)
JOIN_INTRO_EN = (
    "<p>Support the children of Sakurano as a member, a monthly supporter or a volunteer. "
    "We will e-mail you a link to confirm your address.</p>"
)
JOIN_THANKS = "<p>ご登録ありがとうございます。メールをご確認ください。</p>"
JOIN_THANKS_EN = "<p>Thank you for joining. Please check your e-mail.</p>"
PORTAL_INTRO = "<p>ご登録の内容の確認・変更、会員の更新、退会のお申し込みができます。</p>"
PORTAL_INTRO_EN = (
    "<p>See and change your details, renew your membership or ask us to delete your data.</p>"
)


def _upsert_lists() -> None:
    for order, name in enumerate(SCHOOL_DISTRICTS):
        Area.objects.update_or_create(
            name=name, defaults={"kind": Area.Kind.SCHOOL_DISTRICT, "sort_order": order}
        )
    for order, name in enumerate(CHILDRENS_PLACES):
        Area.objects.update_or_create(
            name=name, defaults={"kind": Area.Kind.CHILDRENS_PLACE, "sort_order": order}
        )
    for order, name in enumerate(SKILLS):
        Skill.objects.update_or_create(name=name, defaults={"sort_order": order})
    for order, name in enumerate(INTERESTS):
        Interest.objects.update_or_create(name=name, defaults={"sort_order": order})
    for order, (name, audience, period, yen, per_unit, description) in enumerate(PLANS):
        MembershipPlan.objects.update_or_create(
            name=name,
            defaults={
                "audience": audience,
                "period": period,
                "amount_yen": yen,
                "per_unit": per_unit,
                "description": description,
                "sort_order": order,
            },
        )


def _paid(membership: Membership, *, renews_in_days: int, today: datetime.date) -> None:
    """Record a payment so that the membership renews `renews_in_days` from today: a fee paid
    by bank transfer, written to the money ledger (members/registry.py)."""
    renews_on = today + datetime.timedelta(days=renews_in_days)
    if membership.plan.period == MembershipPlan.Period.MONTH:
        paid_on = renews_on - datetime.timedelta(days=30)
    else:
        paid_on = renews_on.replace(year=renews_on.year - 1, day=min(renews_on.day, 28))
    paid_at = timezone.make_aware(datetime.datetime.combine(paid_on, datetime.time(10, 0)))
    fee_payment_record(membership=membership, paid_at=paid_at, note="demo-fee")


def _memberships(supporter: Supporter, index: int, plans: dict, today: datetime.date) -> None:
    """A spread of states: renewing soon, renewing later, lapsed, cancelled, waiting for payment."""
    if supporter.kind == Supporter.Kind.ORGANISATION:
        membership = membership_start(
            supporter=supporter, plan=plans["法人会員"], units=1 + index % 3
        )
        _paid(membership, renews_in_days=20 + index * 40, today=today)
        return
    pattern = index % 8
    if pattern in (0, 1):  # yearly, renewing within 30 days (reminders due)
        membership = membership_start(supporter=supporter, plan=plans["個人会員"])
        _paid(membership, renews_in_days=(7, 30, 12, 25)[index % 4], today=today)
    elif pattern == 2:  # yearly, renewing later
        membership = membership_start(supporter=supporter, plan=plans["個人会員"])
        _paid(membership, renews_in_days=90 + index * 5, today=today)
    elif pattern == 3:  # monthly supporter, paid up
        membership = membership_start(
            supporter=supporter, plan=plans["毎月サポーター"], auto_renew=True
        )
        _paid(membership, renews_in_days=10 + index % 20, today=today)
    elif pattern == 4:  # free supporter
        membership_start(supporter=supporter, plan=plans["無料サポーター"], today=today)
    elif pattern == 5:  # lapsed last year
        membership = membership_start(supporter=supporter, plan=plans["個人会員"])
        _paid(membership, renews_in_days=-40, today=today)
        Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LAPSED)
    elif pattern == 6:  # waiting for the first payment
        membership_start(supporter=supporter, plan=plans["個人会員"])
    # pattern 7: a volunteer or donor without membership


def _supporters(today: datetime.date) -> None:
    plans = {plan.name: plan for plan in MembershipPlan.objects.all()}
    skills = list(Skill.objects.order_by("sort_order"))
    areas = list(Area.objects.order_by("kind", "sort_order"))
    interests = list(Interest.objects.order_by("sort_order"))
    rows = [("person", index, person) for index, person in enumerate(PEOPLE)]
    rows += [("organisation", index, company) for index, company in enumerate(COMPANIES)]
    for kind, index, data in rows:
        if kind == "person":
            family, given, family_kana, given_kana = data
            email = f"demo-member-{index + 1:02d}@example.jp"
            fields = {
                "kind": Supporter.Kind.PERSON,
                "family_name": family,
                "given_name": given,
                "family_name_kana": family_kana,
                "given_name_kana": given_kana,
                "birth_year": 1955 + (index * 7) % 45,
                "is_volunteer": index % 3 == 0,
                "preferred_language": "en" if family.isascii() else "ja",
            }
        else:
            name, kana, department, contact = data
            email = f"demo-company-{index + 1:02d}@example.jp"
            fields = {
                "kind": Supporter.Kind.ORGANISATION,
                "organisation_name": name,
                "organisation_name_kana": kana,
                "department": department,
                "contact_person": contact,
                "invoice_address": f"さくら野市本町{index + 1}-{index + 3}-1",
            }
        status = Supporter.Status.PENDING if index % 13 == 12 else Supporter.Status.ACTIVE
        created_at = timezone.now() - datetime.timedelta(days=400 - index * 9)
        supporter, created = Supporter.objects.get_or_create(
            email=email,
            defaults={
                **fields,
                "phone": f"090-{5100 + index:04d}-{(index * 37) % 10000:04d}"
                if kind == "person"
                else f"048-{400 + index:03d}-{1000 + index:04d}",
                "postal_code": "352-0001",
                "prefecture": "埼玉県",
                "city": "さくら野市",
                "address_line": f"本町{index % 5 + 1}-{index + 1}-{index % 9 + 1}",
                "status": status,
                "source": Supporter.Source.WEB if index % 2 else Supporter.Source.STAFF,
                "created_at": created_at,
                "confirmed_at": None
                if status == Supporter.Status.PENDING
                else created_at + datetime.timedelta(hours=2),
            },
        )
        if not created:
            continue
        consent_record(
            supporter=supporter,
            kind=ConsentRecord.Kind.PRIVACY_POLICY,
            granted=True,
            source=ConsentRecord.Source.JOIN_FORM,
            policy_version="2026-04",
        )
        consent_record(
            supporter=supporter,
            kind=ConsentRecord.Kind.NEWSLETTER,
            granted=index % 4 != 1,
            source=ConsentRecord.Source.JOIN_FORM,
        )
        if index % 5 == 0:
            consent_record(
                supporter=supporter,
                kind=ConsentRecord.Kind.SUPPORTERS_WALL,
                granted=True,
                source=ConsentRecord.Source.PORTAL,
            )
        if supporter.is_volunteer:
            profile = VolunteerProfile.objects.create(
                supporter=supporter,
                availability=[["sat-am", "wed-eve", "sun-pm"][index % 3]],
                emergency_contact_name=f"{supporter.family_name} 家族",
                emergency_contact_phone="090-0000-0000",
            )
            profile.skills.set([skills[index % len(skills)], skills[(index + 3) % len(skills)]])
            profile.areas.set([areas[index % len(areas)]])
            profile.interests.set([interests[index % len(interests)]])
        if status == Supporter.Status.ACTIVE:
            _memberships(supporter, index, plans, today)


# page_upsert(parent=, model=, slug=, **fields) and page_translate(page=, locale=, **fields):
# create or update a page (or its translation) and publish it.
PageUpsert = Callable[..., Page]
PageTranslate = Callable[..., Page]


def _pages(
    *,
    home: Page,
    privacy: Page | None,
    page_upsert: PageUpsert,
    page_translate: PageTranslate,
) -> None:
    join = page_upsert(
        parent=home,
        model=JoinPage,
        slug="join",
        title="応援団に参加する",
        show_in_menus=True,
        intro=JOIN_INTRO,
        thank_you_text=JOIN_THANKS,
        privacy_page=privacy,
    )
    join.plans = list(MembershipPlan.objects.filter(is_active=True))
    join.save_revision().publish()
    portal = page_upsert(
        parent=home,
        model=MemberPortalPage,
        slug="portal",
        title="会員ページ",
        show_in_menus=False,
        intro=PORTAL_INTRO,
    )
    english, _ = Locale.objects.get_or_create(language_code="en")
    if home.get_translation_or_none(english) is None:
        return  # the home page's translation is made by the demo command first
    privacy_en = privacy.get_translation_or_none(english) if privacy else None
    page_translate(
        page=join,
        locale=english,
        title="Join us",
        intro=JOIN_INTRO_EN,
        thank_you_text=JOIN_THANKS_EN,
        privacy_page=privacy_en or privacy,
    )
    page_translate(page=portal, locale=english, title="Member portal", intro=PORTAL_INTRO_EN)


def members_demo_build(
    *,
    home: Page | None = None,
    privacy: Page | None = None,
    page_upsert: PageUpsert | None = None,
    page_translate: PageTranslate | None = None,
) -> None:
    """Areas, skills, interests, plans, ~40 supporters with memberships and consents, and, given
    the Japanese home page and the page helpers, the join and portal pages under it in Japanese
    and English (linking to `privacy`). Safe to run any number of times."""
    today = timezone.localdate()
    _upsert_lists()
    _supporters(today)
    if home is not None and page_upsert is not None and page_translate is not None:
        _pages(home=home, privacy=privacy, page_upsert=page_upsert, page_translate=page_translate)

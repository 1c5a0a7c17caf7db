# ruff: noqa: E501  (prose: Japanese sentences read better unbroken)
"""Text of the demo site: a fictional city's children's-future supporters' group.

Figures follow the seed reports (17 school districts, 29 children's places, 390 volunteers,
6.18 t of food, 2,151 items of daily goods, stationery and toys in two years).
"""

ORGANISATION = {
    "name": "さくら野 子どもの未来応援団",
    "tagline": "地域の居場所・フードバンク・ひとり親支援を、みんなの力で",
    "postal_code": "352-0000",
    "address": "さくら野市中央1-2-3 さくら野市民活動センター内",
    "phone": "048-000-0000",
    "email": "info@example.jp",
    "representative": "代表 山田 花子",
    # The group is not a legal person: the NPO that runs it receives the gifts (receipts).
    "legal_form": "特定非営利活動法人",
    "legal_name": "さくら野子育てネットワーク",
    "footer_note": "さくら野 子どもの未来応援団は、NPO法人さくら野子育てネットワークが事務局を務める市民の応援団です。",
}

IMPACT_FIGURES = [
    ("17", "校区", "小学校区すべてに居場所", "市内17小学校区"),
    ("29", "カ所", "子どもひろば", "うち定期開催 8カ所"),
    ("390", "人", "ボランティア", "2年間の参加者"),
    ("1540", "人", "参加した子ども", ""),
    ("6.18", "t", "届けた食品", "フードバンク経由"),
    ("2151", "点", "日用品・文具・玩具", ""),
    ("157", "世帯", "ひとり親世帯の登録", "登録児童 273人"),
]

IMPACT_FIGURES_EN = [
    ("17", "districts", "Every primary-school district has a place", ""),
    ("29", "places", "Children's places", "8 meet regularly"),
    ("390", "people", "Volunteers", "over two years"),
    ("1540", "children", "Children who took part", ""),
    ("6.18", "t", "Food delivered", "through the food bank"),
    ("2151", "items", "Daily goods, stationery and toys", ""),
    ("157", "households", "Single-parent households registered", "273 children"),
]

HOME = {
    "title": "ホーム",
    "hero_heading": "子どもの未来を、地域のみんなで支える",
    "hero_text": (
        "さくら野市の17小学校区すべてに生まれた子どもの居場所、フードバンク、ひとり親家庭への支援。"
        "助成金の期間が終わっても続けられるよう、市民と企業のみなさんの応援を募っています。"
    ),
    "hero_cta_label": "応援する方法を見る",
    "featured_heading": "応援中のキャンペーン",
    "figures_heading": "2年間の歩み",
    "intro": (
        "<p>2年間で、市内すべての小学校区に子どもの居場所が誕生しました。"
        "フードバンクの倉庫には業務用の冷蔵庫・冷凍庫が入り、企業や市民から寄せられた食品や日用品が、"
        "子どもひろばとひとり親家庭に届いています。</p>"
    ),
    "cta_heading": "月500円から、応援団になりませんか",
    "cta_text": "会費・毎月の寄付・食品や文具のご提供・ボランティア。できるかたちで参加できます。",
    "cta_button": "参加のしかた",
}

HOME_EN = {
    "title": "Home",
    "hero_heading": "Supporting our children's future, together as a community",
    "hero_text": (
        "Children's places in all 17 school districts of Sakurano, a food bank and support for "
        "single-parent families. We ask citizens and companies to keep them going after the "
        "grant ends."
    ),
    "hero_cta_label": "Ways to support",
    "featured_heading": "Current campaigns",
    "figures_heading": "Two years in figures",
    "intro": (
        "<p>In two years every primary-school district in the city gained a children's place. "
        "The food bank warehouse has commercial fridges and freezers, and food and daily goods "
        "from companies and citizens reach the children's places and single-parent families.</p>"
    ),
    "cta_heading": "Join the supporters' group from ¥500 a month",
    "cta_text": "Membership, a monthly gift, donated food or stationery, or volunteering.",
    "cta_button": "How to take part",
}

PAGES = [
    {
        "slug": "about",
        "title": "私たちについて",
        "title_en": "About us",
        "intro": "子どもと子育て家庭を、地域の多様な居場所がつながって支えるための応援団です。",
        "intro_en": "A supporters' group that links the city's places for children and families.",
        "paragraphs": [
            "<p>私たちは、妊娠期から18歳までの子どもと子育て家庭を地域で支えるNPOと、"
            "市内の子ども食堂・学習支援・プレーパークなどの居場所、社会福祉協議会、商工会、"
            "企業のみなさんが集まって生まれました。</p>",
            "<p>休眠預金を活用した2年間の事業で、市内17小学校区すべてに子どもの居場所が生まれ、"
            "フードバンクとひとり親支援の仕組みができました。"
            "事業が終わったあとも活動を続けるため、応援団として会員・寄付・物品提供を募っています。</p>",
        ],
        "paragraphs_en": [
            "<p>We are a network of a child-support NPO, the city's children's canteens, study "
            "clubs and play parks, the council of social welfare, the chamber of commerce and "
            "local companies.</p>",
        ],
    },
    {
        "slug": "support",
        "title": "応援する方法",
        "title_en": "Ways to support",
        "intro": "会員になる、毎月寄付する、物品を提供する、ボランティアとして参加する。",
        "intro_en": "Become a member, give monthly, donate goods or volunteer.",
        # The ways themselves, each with its button, are added once every app's page exists
        # (home/demo.py support_demo_update).
        "paragraphs": [],
        "paragraphs_en": [],
    },
    {
        "slug": "privacy",
        "title": "個人情報の取り扱い",
        "title_en": "Privacy policy",
        "intro": "個人情報保護法に基づき、お預かりした個人情報を適切に管理します。",
        "intro_en": "We handle personal data under Japan's Act on the Protection of Personal "
        "Information.",
        "paragraphs": [
            "<p>お預かりした氏名・連絡先は、会員管理・寄付の受領証明・活動のご報告にのみ利用し、"
            "ご本人の同意なく第三者に提供しません。ご自身の情報の開示・訂正・削除はいつでも請求できます。</p>",
        ],
        "paragraphs_en": [
            "<p>Names and contact details are used only for membership, donation receipts and "
            "reports, and never shared without consent. You may ask to see, correct or delete "
            "your data at any time.</p>",
        ],
        "show_in_menus": False,
    },
]

NEWS_INDEX = {
    "slug": "news",
    "title": "活動報告",
    "title_en": "News",
    "intro": "子どもひろば・フードバンク・ひとり親支援の最新の様子をお伝えします。",
    "intro_en": "News from the children's places, the food bank and single-parent support.",
}

NEWS = [
    {
        "slug": "pantry-9th",
        "date": "2026-10-18",
        "title": "第9回フードパントリーを開催しました",
        "title_en": "Our 9th food pantry",
        "summary": "ひとり親家庭42世帯に、お米・野菜・日用品をお渡ししました。",
        "summary_en": "42 single-parent households received rice, vegetables and daily goods.",
        "body": "<p>地元のスーパー3社と農家のみなさんから寄せられた食品を、"
        "ボランティア18人で仕分けしました。ご協力ありがとうございました。</p>",
    },
    {
        "slug": "warehouse-freezer",
        "date": "2026-09-05",
        "title": "フードバンク倉庫に業務用冷凍庫が入りました",
        "title_en": "A commercial freezer for the food bank",
        "summary": "冷凍食品の寄付も受け付けられるようになりました。",
        "summary_en": "We can now accept frozen food.",
        "body": "<p>企業の皆さまからのご寄付で、業務用冷凍庫を導入しました。"
        "冷凍のお肉や魚を、子どもひろばに届けられるようになります。</p>",
    },
    {
        "slug": "seventeen-districts",
        "date": "2026-07-20",
        "title": "市内17小学校区すべてに子どもの居場所が誕生",
        "title_en": "A children's place in all 17 school districts",
        "summary": "2年間で子どもひろばは29カ所に。参加した子どもは1,540人になりました。",
        "summary_en": "29 children's places in two years, with 1,540 children taking part.",
        "body": "<p>最後の校区で子ども食堂が始まり、市内17小学校区すべてに居場所ができました。"
        "ボランティアとして参加してくださった方は390人にのぼります。</p>",
    },
]

# Live impact figures (home/impact.py computes them; impact_demo_update() puts them on the site).
LIVE_IMPACT = {
    "heading": "応援団のいま",
    "households": 157,
    "households_note": "登録児童 273人",
    "page_title": "活動の成果",
    "page_intro": "会員・寄付・物品提供・ボランティアの数字は、サイトのデータから自動で集計しています。年を選んで、その年の実績を見ることもできます。",
    "page_heading": "数字で見る応援団",
}
LIVE_IMPACT_EN = {
    "heading": "The supporters' group today",
    "page_title": "Our impact",
    "page_intro": "Members, gifts, donated goods and volunteers are counted from the site's own data. Choose a year to see that year's figures.",
    "page_heading": "The supporters' group in figures",
}

# The impact page: stories, spending staff entered (where the ledger has no gifts for it),
# calls to action. Amounts in yen.
IMPACT_STORIES = [
    {
        "heading": "「ここに来ると、ほっとする」",
        "text": "<p>小学3年生のAさんは、お母さんの帰りが遅い日に子ども食堂へ通っています。"
        "宿題を見てもらい、みんなで夕ごはんを食べてから帰ります。</p>",
        "quote": "ここに来ると、ほっとする。",
        "attribution": "Aさん（小学3年生）",
    },
    {
        "heading": "フードバンクから、毎月の食卓へ",
        "text": "<p>地元の農家さんや企業から届いたお米や食品は、ボランティアが仕分けて、"
        "ひとり親家庭に毎月お届けしています。</p>",
        "quote": "お米が届くと、月末の不安が少し軽くなります。",
        "attribution": "ひとり親家庭の保護者",
    },
]
IMPACT_STORIES_EN = [
    {
        "heading": '"I feel at ease here"',
        "text": "<p>A, in year 3, comes to the children's kitchen on the days her mother works "
        "late: homework help, dinner together, then home.</p>",
        "quote": "I feel at ease here.",
        "attribution": "A, year 3",
    },
    {
        "heading": "From the food bank to the family table",
        "text": "<p>Rice and food from local farmers and companies are sorted by volunteers "
        "and delivered to single-parent families every month.</p>",
        "quote": "When the rice arrives, the end of the month is a little less worrying.",
        "attribution": "A single parent",
    },
]
# (years back from this year, label, amount in yen): costs no programme in the ledger covers.
IMPACT_SPENDING = [
    (0, "運営費（会場費・保険）", 180_000),
    (1, "運営費（会場費・保険）", 240_000),
    (1, "子どもの居場所", 620_000),
]
IMPACT_REPORT_TITLE = "{year}年度 年次報告書"
IMPACT_REPORT_TITLE_EN = "Annual report {year}"
IMPACT_CTA = [
    ("毎月の寄付で支える", "月500円から、子どもたちの食事と居場所を支えられます。", "donate",
     "?frequency=monthly", "毎月寄付する"),
    ("応援団に参加する", "会員・ボランティアとして、できることから。", "join", "", "参加する"),
]  # fmt: skip
IMPACT_CTA_EN = [
    ("Give monthly", "From ¥500 a month you keep meals and places going.", "donate",
     "?frequency=monthly", "Give monthly"),
    ("Join us", "As a member or volunteer, as much as you can.", "join", "", "Join"),
]  # fmt: skip

# The support page: every way to help, each with its button (heading, text, page slug, query,
# button). The pages are built by the apps' demos; ways whose page is missing are left out.
SUPPORT_WAYS = [
    ("寄付する", "一回のご寄付で、子ども食堂の食材やフードバンクの運営を支えます。",
     "donate", "", "寄付する"),
    ("毎月寄付する", "月500円から。子ども1人分の食事（約300円）が毎月届きます。",
     "donate", "?frequency=monthly", "毎月寄付する"),
    ("応援会員になる", "個人会員 年3,000円、法人会員 1口 年10,000円。会報と活動報告をお届けします。",
     "join", "", "会員になる"),
    ("ボランティアとして参加する", "調理、学習支援、送迎、フードバンクの仕分けなど。"
     "できる曜日・時間帯から参加できます。", "join", "?kind=volunteer", "ボランティアに申し込む"),
    ("物品を提供する", "お米・レトルト食品・調味料、日用品、文具、おもちゃを受け付けています。"
     "冷蔵・冷凍品は事前にご相談ください。", "goods", "", "物品の提供を申し出る"),
    ("企業・団体として応援する", "法人会員、物品のご提供、社員ボランティアなど、"
     "企業・団体ならではの応援をお願いしています。", "join", "?kind=organisation",
     "企業・団体として申し込む"),
]  # fmt: skip
SUPPORT_WAYS_EN = [
    ("Give once", "A single gift buys food for the children's kitchens and runs the food bank.",
     "donate", "", "Give"),
    ("Give monthly", "From ¥500 a month: a child's meal (about ¥300) every month.",
     "donate", "?frequency=monthly", "Give monthly"),
    ("Become a member", "Individuals ¥3,000 a year; companies ¥10,000 per unit a year.",
     "join", "", "Become a member"),
    ("Volunteer", "Cooking, homework help, driving, sorting at the food bank: whenever suits "
     "you.", "join", "?kind=volunteer", "Volunteer with us"),
    ("Give goods", "Rice, ready meals, daily goods, stationery and toys.", "goods", "",
     "Offer goods"),
    ("Support us as a company", "Corporate membership, goods and staff volunteering.",
     "join", "?kind=organisation", "Sign up as a company"),
]  # fmt: skip

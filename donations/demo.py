"""Demo money: a donate page and a small, believable ledger. Idempotent."""

import datetime

from django.utils import timezone
from wagtail.models import Locale, Page

from members.models import Supporter
from ouendan.core.demo import page_translate, page_upsert
from ouendan.core.models import OrganisationSettings

from .models import DonateImpactLine, DonatePage, Donation, Programme, RecurringDonation
from .services import StripeKeys, donation_record

DONATE_INTRO = (
    "<p>いただいたご寄付は、子どもひろばの食材、フードバンクの運営、ひとり親家庭への食支援に"
    "使わせていただきます。月500円から、毎月のご寄付も受け付けています。</p>"
)
DONATE_INTRO_EN = (
    "<p>Gifts buy food for the children's places, run the food bank and support single-parent "
    "families. Monthly gifts start at ¥500.</p>"
)

# What each amount does, shown under it on the donate page: (yen, Japanese, English).
IMPACT_LINES = [
    (500, "子ども食堂の食事 約2食分", "About 2 meals at the children's cafeteria"),
    (1000, "子ども食堂の食事 約3食分", "About 3 meals at the children's cafeteria"),
    (3000, "子ども食堂の食事10食分", "10 meals at the children's cafeteria"),
    (5000, "フードバンクの食品箱 2世帯分", "Food bank boxes for 2 households"),
    (10000, "子どもひろば1回分の食材と文具", "Food and stationery for one children's place day"),
    (30000, "ひとり親家庭3世帯に1か月の食支援", "A month of food for 3 single-parent families"),
]

# The account shown for gifts by bank transfer (fictional), set only where staff left it empty.
BANK_ACCOUNT = {
    "bank_name": "さくら野信用金庫",
    "bank_branch": "中央支店",
    "bank_account_type": "ordinary",
    "bank_account_number": "1234567",
    "bank_account_holder": "トクヒ）サクラノコソダテネットワーク",
}

# The programmes gifts may name: (Japanese name, English name).
PROGRAMMES = [
    ("子どもの居場所", "Children's places"),
    ("フードバンク", "Food bank"),
    ("ひとり親支援", "Support for single parents"),
]

# (supporter index, amount, method, days ago, programme index or None: where most needed)
GIFTS = [
    (0, 3000, Donation.Method.CARD, 3, 0),
    (1, 10000, Donation.Method.BANK_TRANSFER, 12, 1),
    (2, 5000, Donation.Method.KONBINI, 20, None),
    (3, 30000, Donation.Method.BANK_TRANSFER, 45, 2),
    (4, 1000, Donation.Method.CASH, 60, None),
    (5, 5000, Donation.Method.CARD, 75, 0),
    (6, 50000, Donation.Method.BANK_TRANSFER, 120, 1),
    (7, 3000, Donation.Method.CARD, 150, 2),
]


def bank_account_demo_set() -> None:
    """The demo bank account on the default site's organisation settings, where empty."""
    organisation = OrganisationSettings.for_default_site()
    if organisation.pk and not organisation.bank_account_number:
        for field, value in BANK_ACCOUNT.items():
            setattr(organisation, field, value)
        organisation.save()


def programmes_demo_build() -> list[Programme]:
    """The demo programmes, upserted by Japanese name."""
    return [
        Programme.objects.update_or_create(
            name_ja=name_ja, defaults={"name_en": name_en, "sort_order": order, "active": True}
        )[0]
        for order, (name_ja, name_en) in enumerate(PROGRAMMES)
    ]


def donations_demo_build(*, home: Page) -> None:
    """Build under `home`, the Japanese home page (home's demo command passes it)."""
    privacy = Page.objects.child_of(home).filter(slug="privacy").first()
    donate = page_upsert(
        parent=home,
        model=DonatePage,
        slug="donate",
        title="寄付する",
        intro=DONATE_INTRO,
        show_in_menus=True,
        privacy_page=privacy,
        impact_lines=[DonateImpactLine(amount_yen=yen, text=ja) for yen, ja, _en in IMPACT_LINES],
    )
    english = Locale.objects.filter(language_code="en").first()
    if english and home.get_translation_or_none(english):
        page_translate(
            page=donate,
            locale=english,
            title="Donate",
            intro=DONATE_INTRO_EN,
            privacy_page=(privacy.get_translation_or_none(english) or privacy) if privacy else None,
            impact_lines=[
                DonateImpactLine(amount_yen=yen, text=en) for yen, _ja, en in IMPACT_LINES
            ],
        )
    bank_account_demo_set()

    supporters = list(Supporter.objects.filter(status=Supporter.Status.ACTIVE).order_by("pk")[:10])
    if len(supporters) < 10:
        return
    programmes = programmes_demo_build()
    now = timezone.now()
    for n, (index, amount, method, days_ago, programme) in enumerate(GIFTS):
        online = method in (Donation.Method.CARD, Donation.Method.KONBINI)
        if not online and Donation.objects.filter(note=f"demo-{n}").exists():
            continue
        donation_record(
            supporter=supporters[index],
            kind=Donation.Kind.ONE_OFF,
            method=method,
            amount_yen=amount,
            paid_at=now - datetime.timedelta(days=days_ago),
            stripe_keys=StripeKeys(checkout_session_id=f"cs_demo_{n}") if online else None,
            programme_id=None if programme is None else programmes[programme].pk,
            note="" if online else f"demo-{n}",
        )
    # Two monthly supporters, one of them at risk after a failed payment.
    for n, (index, status, failures) in enumerate(
        [(8, RecurringDonation.Status.ACTIVE, 0), (9, RecurringDonation.Status.PAST_DUE, 1)]
    ):
        recurring, _ = RecurringDonation.objects.update_or_create(
            stripe_subscription_id=f"sub_demo_{n}",
            defaults={
                "supporter": supporters[index],
                "amount_yen": 1000,
                "status": status,
                "failure_count": failures,
                "started_at": now - datetime.timedelta(days=95),
                # A month after the last of the three payments below (30 days ago).
                "next_payment_on": timezone.localdate(now),
            },
        )
        for month in range(3):
            donation, _ = donation_record(
                supporter=recurring.supporter,
                kind=Donation.Kind.MONTHLY,
                method=Donation.Method.CARD,
                amount_yen=1000,
                paid_at=now - datetime.timedelta(days=90 - 30 * month),
                stripe_keys=StripeKeys(invoice_id=f"in_demo_{n}_{month}"),
            )
            if donation.recurring_id != recurring.pk:
                Donation.objects.filter(pk=donation.pk).update(recurring=recurring)

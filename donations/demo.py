"""Demo money: a donate page and a small, believable ledger. Idempotent."""

import datetime

from django.utils import timezone
from wagtail.models import Locale, Page

from members.models import Supporter
from ouendan.core.demo import page_translate, page_upsert

from .models import DonatePage, Donation, Programme, RecurringDonation
from .services import StripeKeys, donation_record

DONATE_INTRO = (
    "<p>いただいたご寄付は、子どもひろばの食材、フードバンクの運営、ひとり親家庭への食支援に"
    "使わせていただきます。月500円から、毎月のご寄付も受け付けています。</p>"
)
DONATE_INTRO_EN = (
    "<p>Gifts buy food for the children's places, run the food bank and support single-parent "
    "families. Monthly gifts start at ¥500.</p>"
)

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
    donate = page_upsert(
        parent=home,
        model=DonatePage,
        slug="donate",
        title="寄付する",
        intro=DONATE_INTRO,
        show_in_menus=True,
    )
    english = Locale.objects.filter(language_code="en").first()
    if english and home.get_translation_or_none(english):
        page_translate(page=donate, locale=english, title="Donate", intro=DONATE_INTRO_EN)

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

"""Membership fees recorded only on the membership (its last payment date, shown in the
supporter's timeline) but missing from the money ledger get their ledger row.

Until now a fee could be marked paid without a ledger row (the demo did it, through
members.memberships.membership_record_payment): the funding dashboard then showed ¥0 of fees.
Only the last payment of each membership is known, so that is what is recovered: one row per
paid membership whose fee is not in the ledger at all. The rows carry RECOVERED_NOTE; their
side effects are marked done (no thank-you for an old fee). Running it again adds nothing;
reversing deletes exactly the rows that carry the note.
"""

from django.db import migrations
from django.utils import timezone

RECOVERED_NOTE = (
    "Recovered from the membership record by migration "
    "donations.0018_membership_fees_into_ledger; payment method not recorded."
)


def recover(apps, schema_editor):
    Donation = apps.get_model("donations", "Donation")
    Membership = apps.get_model("members", "Membership")
    in_ledger = Donation.objects.filter(kind="membership", membership__isnull=False).values(
        "membership_id"
    )
    missing = (
        Membership.objects.filter(last_paid_at__isnull=False, amount_yen__gt=0)
        .exclude(pk__in=in_ledger)
        .order_by("pk")
    )
    now = timezone.now()
    Donation.objects.bulk_create(
        [
            Donation(
                supporter_id=membership.supporter_id,
                membership_id=membership.pk,
                kind="membership",
                method="bank_transfer",
                amount_yen=membership.amount_yen,
                paid_at=membership.last_paid_at,
                note=RECOVERED_NOTE,
                created_at=now,
                effects_done_at=now,
            )
            for membership in missing.iterator()
        ],
        batch_size=500,
    )


def forget(apps, schema_editor):
    Donation = apps.get_model("donations", "Donation")
    Donation.objects.filter(kind="membership", note=RECOVERED_NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0017_programme_finance_group"),
        ("members", "0009_consent_source_donate_form"),
    ]

    operations = [migrations.RunPython(recover, forget)]

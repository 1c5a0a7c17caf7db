"""Membership fees (会費) in the money ledger.

Every paid fee is one ledger row of kind MEMBERSHIP pointing at its membership, written by
`donation_record` (which also activates or extends the membership). Stripe fees arrive through
the Checkout webhook; everything else (a fee paid by bank transfer or cash, the demo) goes
through `membership_fee_record`, which members reaches through its registry
(`members.registry.fee_payment_record`): members never imports donations.

Fees are income, not gifts: no campaign, no programme, no 寄附金受領証明書
(donations/receipts/selectors.py RECEIPT_DONATION_KINDS). They are thanked as "membership
joined/renewed", not as gifts (campaigns/thanks.py).
"""

import datetime

from members.models import Membership

from .models import Donation
from .services import donation_record


def membership_fee_record(
    *,
    membership: Membership,
    paid_at: datetime.datetime,
    method: str = Donation.Method.BANK_TRANSFER,
    amount_yen: int | None = None,
    recorded_by=None,
    note: str = "",
) -> Donation:
    """Record one paid period of a membership fee in the ledger (the membership's fee unless
    `amount_yen` says otherwise) and extend the membership. Returns the ledger row."""
    donation, _created = donation_record(
        supporter=membership.supporter,
        kind=Donation.Kind.MEMBERSHIP,
        method=method,
        amount_yen=membership.amount_yen if amount_yen is None else amount_yen,
        paid_at=paid_at,
        membership=membership,
        recorded_by=recorded_by,
        note=note,
    )
    return donation

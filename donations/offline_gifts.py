"""Offline gifts staff record by hand (bank transfer, cash), one at a time or as a batch.

Both paths run through donation_record_offline, so every gift gets the same duplicate check,
history entry and side effects (thank-you, campaign progress, goal check after the commit).
The duplicate rule itself is a read: donations.selectors.offline_gift_duplicates.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from wagtail.log_actions import log

from members.models import Membership, Supporter

from .models import OFFLINE_METHODS, Donation
from .selectors import offline_gift_duplicates
from .services import donation_record


class DuplicateGift(Exception):
    """An identical offline gift (donor, amount, day, campaign) is in the ledger already and the
    caller did not confirm that this is another gift."""

    def __init__(self, duplicates: list[Donation], *, row: int | None = None):
        super().__init__(f"duplicates gifts {[d.pk for d in duplicates]}")
        self.duplicates = duplicates
        self.row = row  # the batch row (0-based) that was refused, if from a batch


@dataclass(frozen=True)
class OfflineGift:
    """One row of a batch, as donation_record_offline takes it."""

    supporter: Supporter | None  # None: anonymous (a collection box)
    method: str
    amount_yen: int
    paid_at: datetime.datetime
    campaign_id: int | None = None
    programme_id: int | None = None
    note: str = ""
    kind: str = Donation.Kind.ONE_OFF


def donation_record_offline(
    *,
    supporter: Supporter | None,
    kind: str,
    method: str,
    amount_yen: int,
    paid_at: datetime.datetime,
    campaign_id: int | None = None,
    programme_id: int | None = None,
    membership: Membership | None = None,
    note: str = "",
    recorded_by=None,
    confirmed_duplicate: bool = False,
) -> Donation:
    """Record one offline gift and its history entry. Returns the new gift.

    `supporter` None records an anonymous one-off gift (a collection box): nobody to thank or
    receipt, but it counts towards its campaign, programme and the funding figures. A membership
    fee may name the membership it pays (one of the supporter's), which it then extends.

    Raises DuplicateGift, saving nothing, when an identical offline gift is already recorded
    and `confirmed_duplicate` is False (staff ticked "I know, record it anyway").
    """
    if method not in OFFLINE_METHODS:
        raise ValueError(f"method {method!r} is not an offline payment")
    if supporter is None and kind != Donation.Kind.ONE_OFF:
        raise ValueError("only a one-off gift may be anonymous")
    own_fee = (
        kind == Donation.Kind.MEMBERSHIP
        and supporter is not None
        and membership is not None
        and membership.supporter_id == supporter.pk
    )
    if membership is not None and not own_fee:
        raise ValueError("a membership is paid only by a fee of its own supporter")
    with transaction.atomic():
        # Lock the donor: two staff saving the same gift at once cannot both pass the check.
        # (Anonymous gifts have no row to lock: the duplicate check is all they get.)
        if supporter is not None:
            list(Supporter.objects.select_for_update().filter(pk=supporter.pk).values_list("pk"))
        if not confirmed_duplicate:
            duplicates = list(
                offline_gift_duplicates(
                    supporter_id=supporter.pk if supporter else None,
                    amount_yen=amount_yen,
                    paid_at=paid_at,
                    campaign_id=campaign_id,
                )
            )
            if duplicates:
                raise DuplicateGift(duplicates)
        donation, _created = donation_record(
            supporter=supporter,
            kind=kind,
            method=method,
            amount_yen=amount_yen,
            paid_at=paid_at,
            campaign_id=campaign_id,
            programme_id=programme_id,
            membership=membership,
            recorded_by=recorded_by,
            note=note,
        )
        if recorded_by is not None:
            log(instance=donation, action="wagtail.create", user=recorded_by)
    return donation


def donation_record_offline_batch(
    *, gifts: Sequence[OfflineGift], recorded_by, confirmed_duplicates: bool = False
) -> list[Donation]:
    """Record every gift of a batch in one transaction, or none.

    Each row goes through donation_record_offline; a row identical to a gift already in the
    ledger, or to an earlier row of the batch, raises DuplicateGift (with its row number) and
    rolls the whole batch back unless `confirmed_duplicates`. Any other error rolls it back too.
    """
    recorded = []
    with transaction.atomic():
        for row, gift in enumerate(gifts):
            try:
                recorded.append(
                    donation_record_offline(
                        supporter=gift.supporter,
                        kind=gift.kind,
                        method=gift.method,
                        amount_yen=gift.amount_yen,
                        paid_at=gift.paid_at,
                        campaign_id=gift.campaign_id,
                        programme_id=gift.programme_id,
                        note=gift.note,
                        recorded_by=recorded_by,
                        confirmed_duplicate=confirmed_duplicates,
                    )
                )
            except DuplicateGift as exc:
                raise DuplicateGift(exc.duplicates, row=row) from exc
    return recorded

"""Receipts' part of merging two supporters (members/merge.py, registered in apps.py): the
duplicate's receipts and certificates move to the survivor, unchanged (an issued document
keeps the name and address printed on it).

One issued 寄附金受領証明書 per donor and year: when both records hold one for the same year,
the merge is refused (nothing changes) until Finance voids one of them, with a reason, and
issues the corrected certificate. Deciding that is Finance's, not the merge's."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from members.models import Supporter

from .models import Receipt, ReceiptKind


def _annual_years(supporter: Supporter) -> set[int]:
    issued = Receipt.objects.filter(
        supporter=supporter, kind=ReceiptKind.ANNUAL, status=Receipt.Status.ISSUED
    )
    return set(issued.values_list("year", flat=True))


def receipts_merge_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    both = sorted(_annual_years(survivor) & _annual_years(duplicate))
    if both:
        raise ValidationError(
            gettext(
                "Both records have an issued annual certificate for %(years)s. Void one of them "
                "in Receipts first, then merge."
            )
            % {"years": ", ".join(str(year) for year in both)}
        )
    count = Receipt.objects.filter(supporter=duplicate).update(supporter=survivor)
    return {Receipt._meta.label_lower: count}

"""Campaigns' part of merging two supporters (members/merge.py, registered in apps.py): the
thank-you log and bulk thank-you recipients of the duplicate move to the survivor. A bulk
thank-you lists each supporter once: when both records were recipients of the same batch, the
duplicate's row stays on the merged stub, as the record of the mail sent to it."""

from django.db.models import Exists, OuterRef

from members.models import Supporter

from .models import ThankYouBatchRecipient, ThankYouLog


def campaigns_merge_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    thanked = ThankYouLog.objects.filter(supporter=duplicate).update(supporter=survivor)
    in_same_batch = ThankYouBatchRecipient.objects.filter(
        supporter=survivor, batch=OuterRef("batch")
    )
    recipients = (
        ThankYouBatchRecipient.objects.filter(supporter=duplicate)
        .exclude(Exists(in_same_batch))
        .update(supporter=survivor)
    )
    return {
        ThankYouLog._meta.label_lower: thanked,
        ThankYouBatchRecipient._meta.label_lower: recipients,
    }

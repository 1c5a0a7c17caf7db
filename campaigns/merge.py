"""Campaigns' part of merging two supporters (members/merge.py, registered in apps.py): the
thank-you log and bulk thank-you recipients of the duplicate move to the survivor. A bulk
thank-you lists each supporter once: when both records were recipients of the same batch, the
duplicate's row stays on the merged stub, as the record of the mail sent to it."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from wagtail.models import Page

from donations.models import Donation
from members.models import Supporter

from .models import ThankYouBatchRecipient, ThankYouLog
from .tally import tallies_compute, tallies_drop


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
    # Two donors become one: the donor counts of every campaign either gave to change. Dropped
    # now (in the merge's transaction), computed again once it has committed.
    campaign_ids = set(
        Donation.objects.filter(supporter__in=[survivor, duplicate], campaign__isnull=False)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    tallies_drop(page_ids=campaign_ids)
    keys = list(Page.objects.filter(pk__in=campaign_ids).values_list("translation_key", flat=True))
    transaction.on_commit(lambda: tallies_compute(keys, replace=True))
    return {
        ThankYouLog._meta.label_lower: thanked,
        ThankYouBatchRecipient._meta.label_lower: recipients,
    }

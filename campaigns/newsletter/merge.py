"""Merging two supporter records (members/merge.py): the duplicate's newsletter recipient rows
move to the survivor. One row per mailing and supporter (newsletter_recipient_once): when both
records were recipients of the same mailing, the survivor's row stays and the duplicate's is
deleted, unless only the duplicate's has gone to the mail backend yet (the survivor's still
waits): that one stays and the waiting one goes, so the person still gets the issue once.
The mailing then counts one recipient less."""

from django.db.models import F

from members.models import Supporter

from .models import Mailing, MailingRecipient


def newsletter_merge_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    rows = MailingRecipient.objects
    # Inside the merge's transaction (members/merge.py supporter_merge).
    both = rows.filter(supporter=duplicate).values("mailing_id")
    # Locked: a sending worker must not claim a row this merge is about to delete.
    kept = {
        row.mailing_id: row
        for row in rows.select_for_update().filter(supporter=survivor, mailing_id__in=both)
    }
    dropped = []
    for row in rows.select_for_update().filter(supporter=duplicate, mailing_id__in=kept):
        waiting = kept[row.mailing_id]
        pending = MailingRecipient.Status.PENDING
        if waiting.status == pending and row.status != pending:
            dropped.append(waiting.pk)
        else:
            dropped.append(row.pk)
    rows.filter(pk__in=dropped).delete()
    Mailing.objects.filter(pk__in=kept, recipients_total__gt=0).update(
        recipients_total=F("recipients_total") - 1
    )
    moved = rows.filter(supporter=duplicate).update(supporter=survivor)
    return {MailingRecipient._meta.label_lower: moved}

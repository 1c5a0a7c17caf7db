"""Each campaign's progress (raised, donors, gifts) kept in a row of its own, so a page reads one
small row instead of aggregating the ledger: at 100,000 gifts that aggregate is ~110 ms on
PostgreSQL, most of an uncached campaign page.

The row is a copy of what `progress_rows` computes from the ledger, never a second source:
- any Donation save or delete (ORM) drops the row of its campaign in the same transaction
  (receivers connected in CampaignsConfig.ready()), so no path that writes the ledger through the
  ORM can leave a stale row behind; the next read computes it again;
- the ledger's events (gift recorded, refunded, moved: donations.signals, which also cover
  the refund path's queryset update) compute it again after the commit
  (campaigns.services.campaign_progress_invalidate), so visitors rarely pay for the aggregate;
- a supporter merge drops the rows of every campaign either record gave to (two donors become
  one).
Page views only add missing rows (never overwrite one), and the events' receivers, which run
after the commit, overwrite: a view whose snapshot predates a gift cannot replace the total its
receiver stored, and a stale row it added is replaced by that receiver (the effects sweeper
re-sends the event if its task was lost).
"""

from django.db import models
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from donations.models import Donation

# The Donation fields progress depends on: a save that names only other fields changes nothing.
PROGRESS_FIELDS = {
    "amount_yen",
    "refunded_yen",
    "campaign",
    "campaign_id",
    "supporter",
    "supporter_id",
}


class CampaignTally(models.Model):
    """Progress of one campaign and its translations (keyed by their shared translation_key)."""

    translation_key = models.UUIDField(unique=True)
    raised_yen = models.BigIntegerField(default=0)
    donors = models.PositiveIntegerField(default=0)
    gifts = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    wagtail_reference_index_ignore = True

    class Meta:
        app_label = "campaigns"
        verbose_name = _("campaign progress")
        verbose_name_plural = _("campaign progress")

    def __str__(self):
        return f"{self.translation_key}: ¥{self.raised_yen:,}"


def progress_rows(translation_keys: list) -> dict[str, tuple[int, int, int]]:
    """raised, donors, gifts per translation key, from the ledger: one grouped aggregate query."""
    counted = Q(refunded_yen__lt=F("amount_yen"))
    rows = (
        Donation.objects.filter(campaign__translation_key__in=translation_keys)
        .values("campaign__translation_key")
        .annotate(
            raised=Sum(F("amount_yen") - F("refunded_yen")),
            donors=Count("supporter", distinct=True, filter=counted),
            # Counted on an indexed column (never null here), not the primary key: the query
            # then reads only donation_campaign_progress_idx (an index-only scan).
            gifts=Count("campaign", filter=counted),
        )
        .order_by()
    )
    return {
        str(row["campaign__translation_key"]): (
            int(row["raised"] or 0),
            row["donors"],
            row["gifts"],
        )
        for row in rows
    }


def tallies_read(translation_keys: list) -> dict[str, tuple[int, int, int]]:
    """The kept rows of these campaigns (missing ones are simply absent): one query."""
    return {
        str(key): (raised, donors, gifts)
        for key, raised, donors, gifts in CampaignTally.objects.filter(
            translation_key__in=translation_keys
        ).values_list("translation_key", "raised_yen", "donors", "gifts")
    }


def tallies_compute(translation_keys: list, *, replace: bool) -> dict[str, tuple[int, int, int]]:
    """Compute these campaigns' progress from the ledger and keep it (a campaign without gifts
    keeps zeros). Two queries.

    `replace`: only after a ledger change has committed (the events' receivers) may a row be
    overwritten. A page view only adds missing rows: its snapshot may predate a gift whose
    receiver already stored a newer total."""
    if not translation_keys:
        return {}
    rows = progress_rows(translation_keys)
    fresh = {str(key): rows.get(str(key), (0, 0, 0)) for key in translation_keys}
    now = timezone.now()
    CampaignTally.objects.bulk_create(
        [
            CampaignTally(
                translation_key=key, raised_yen=raised, donors=donors, gifts=gifts, computed_at=now
            )
            for key, (raised, donors, gifts) in fresh.items()
        ],
        **(
            {
                "update_conflicts": True,
                "unique_fields": ["translation_key"],
                "update_fields": ["raised_yen", "donors", "gifts", "computed_at"],
            }
            if replace
            else {"ignore_conflicts": True}
        ),
    )
    return fresh


def tallies_rebuild() -> int:
    """Compute every campaign's row again from the ledger (after a bulk load that sent no
    signals, or to repair by hand). Returns how many campaigns were computed."""
    keys = list(
        Page.objects.filter(
            pk__in=Donation.objects.filter(campaign__isnull=False).values("campaign_id")
        )
        .values_list("translation_key", flat=True)
        .distinct()
    )
    CampaignTally.objects.exclude(translation_key__in=keys).delete()
    return len(tallies_compute(keys, replace=True))


def tallies_drop(*, page_ids) -> None:
    """Forget the rows of the campaigns these pages (or their translations) belong to."""
    page_ids = [pk for pk in page_ids if pk]
    if page_ids:
        CampaignTally.objects.filter(
            translation_key__in=Page.objects.filter(pk__in=page_ids).values("translation_key")
        ).delete()


def donation_saved_receiver(sender, instance: Donation, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not PROGRESS_FIELDS.intersection(update_fields):
        return
    # The campaign it counted for before a change is dropped by gift_changed's receiver.
    tallies_drop(page_ids=[instance.campaign_id])


def donation_deleted_receiver(sender, instance: Donation, **kwargs) -> None:
    tallies_drop(page_ids=[instance.campaign_id])

"""What campaigns do when the ledger changes (donations.signals), connected in
CampaignsConfig.ready(). Each receiver is idempotent: the sweeper in donations/effects.py may send
`gift_recorded` again for a gift whose effects were cut off half-way.

And the recovery of goal-reached thanks whose task was lost after the goal was claimed.
"""

import datetime

from django.db.models import F
from django.utils import timezone

from donations.models import Donation
from members.models import NOT_CONTACTABLE

from .models import CampaignPage, ThankYouKind, ThankYouLog
from .services import campaign_progress_invalidate
from .thanks import donation_thank_send

GOAL_THANKS_GRACE = datetime.timedelta(minutes=2)


def gift_recorded_receiver(sender, donation: Donation, **kwargs) -> None:
    # Fresh progress first, so the goal check and the pages read the new total.
    campaign_progress_invalidate(campaign_id=donation.campaign_id)
    # Thanked once (ThankYouLog + outbox key), then the goal check (claimed once per campaign).
    donation_thank_send(donation_id=donation.pk)


def gift_refunded_receiver(sender, donation: Donation, **kwargs) -> None:
    campaign_progress_invalidate(campaign_id=donation.campaign_id)


def gift_changed_receiver(sender, donation: Donation, previous_campaign_id, **kwargs) -> None:
    # Staff moved an offline gift to another campaign: the one it left shows its lower total now
    # (the new one is refreshed by gift_recorded, sent again for the corrected gift).
    campaign_progress_invalidate(campaign_id=previous_campaign_id)


def campaign_goal_thanks_unfinished() -> list[int]:
    """Campaigns whose goal was claimed as reached a while ago but where a donor who had given
    by then was never thanked for it: the task that thanks them was lost."""
    cutoff = timezone.now() - GOAL_THANKS_GRACE
    unfinished = []
    claims = ThankYouLog.objects.filter(
        kind=ThankYouKind.CAMPAIGN_GOAL_REACHED, supporter__isnull=True, created_at__lt=cutoff
    ).values_list("object_key", "created_at")
    for object_key, claimed_at in claims:
        translation_key = object_key.removeprefix("campaign:")
        campaign = CampaignPage.objects.filter(translation_key=translation_key).first()
        if campaign is None:
            continue
        donors = (
            Donation.objects.filter(
                campaign__translation_key=translation_key,
                created_at__lte=claimed_at,
                refunded_yen__lt=F("amount_yen"),
            )
            .exclude(supporter__status__in=NOT_CONTACTABLE)
            .exclude(supporter__isnull=True)  # anonymous gifts have nobody to thank
            .values_list("supporter_id", flat=True)
            .distinct()
        )
        thanked = set(
            ThankYouLog.objects.filter(
                kind=ThankYouKind.CAMPAIGN_GOAL_REACHED,
                object_key__startswith=f"campaign:{translation_key}:supporter:",
            ).values_list("supporter_id", flat=True)
        )
        if set(donors) - thanked:
            unfinished.append(campaign.pk)
    return unfinished

"""What the donate page shows about the campaign a visitor came from (registered with
donations/registry.py in CampaignsConfig.ready(): donations does not import campaigns)."""

from donations.registry import DonateCampaign

from .models import CampaignPage, CampaignStatus
from .selectors import campaign_progress


def campaign_for_donate_page(page) -> DonateCampaign | None:
    campaign = page.specific
    if not isinstance(campaign, CampaignPage):
        return None
    progress = campaign_progress(campaign=campaign)  # cached, one query at most
    return DonateCampaign(
        title=campaign.title,
        url=campaign.url or "",
        raised_yen=progress.raised_yen,
        goal_yen=progress.goal_yen,
        percent=progress.percent,
        donor_count=progress.donor_count,
        days_left=campaign.days_left,
        ended=campaign.status == CampaignStatus.ENDED,
    )

"""What upper apps tell the ledger, registered from their AppConfig.ready().

donations never imports campaigns. A gift may count towards a campaign (`Donation.campaign` is a
plain page link), and the page types that collect gifts register here, so the staff screens offer
only those pages as a gift's campaign (campaigns registers CampaignPage).
"""

from collections.abc import Callable
from dataclasses import dataclass

from wagtail.models import Page

_GIFT_PAGE_TYPES: list[type[Page]] = []


def gift_page_type_register(model: type[Page]) -> None:
    """A page type gifts can be given towards. Registering it again changes nothing."""
    if model not in _GIFT_PAGE_TYPES:
        _GIFT_PAGE_TYPES.append(model)


def gift_page_types() -> tuple[type[Page], ...]:
    return tuple(_GIFT_PAGE_TYPES)


@dataclass(frozen=True)
class DonateCampaign:
    """What the donate page says about the campaign a visitor arrives from."""

    title: str
    url: str
    raised_yen: int
    goal_yen: int | None
    percent: int
    donor_count: int
    days_left: int | None
    ended: bool


# Campaigns registers how to describe one of its pages (donations does not import campaigns).
_CAMPAIGN_DESCRIBERS: list[Callable[[Page], DonateCampaign | None]] = []


def donate_campaign_register(describe: Callable[[Page], DonateCampaign | None]) -> None:
    if describe not in _CAMPAIGN_DESCRIBERS:
        _CAMPAIGN_DESCRIBERS.append(describe)


def donate_campaign(page: Page) -> DonateCampaign | None:
    """The first description a registered app gives of `page`, or None (not a campaign)."""
    for describe in _CAMPAIGN_DESCRIBERS:
        found = describe(page)
        if found is not None:
            return found
    return None

"""What upper apps tell the ledger, registered from their AppConfig.ready().

donations never imports campaigns. A gift may count towards a campaign (`Donation.campaign` is a
plain page link), and the page types that collect gifts register here, so the staff screens offer
only those pages as a gift's campaign (campaigns registers CampaignPage).
"""

from wagtail.models import Page

_GIFT_PAGE_TYPES: list[type[Page]] = []


def gift_page_type_register(model: type[Page]) -> None:
    """A page type gifts can be given towards. Registering it again changes nothing."""
    if model not in _GIFT_PAGE_TYPES:
        _GIFT_PAGE_TYPES.append(model)


def gift_page_types() -> tuple[type[Page], ...]:
    return tuple(_GIFT_PAGE_TYPES)

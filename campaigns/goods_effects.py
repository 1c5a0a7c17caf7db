"""Goods deliveries thanked with the staff's "In-kind delivery" thank-you template.

The goods app sends `delivery_recorded` (it does not import campaigns); CampaignsConfig.ready()
connects the receiver. Keys name the delivery, so each is thanked once however often this runs.
"""

from donations.goods.models import Delivery
from donations.goods.thanks import delivery_items_text

from .models import ThankYouKind
from .thanks import thanks_queue


def delivery_thanks_queue(*, delivery: Delivery):
    """Queue the thank-you for a delivery; returns the OutgoingEmail, or None without one."""
    log, _created = thanks_queue(
        kind=ThankYouKind.INKIND_DELIVERY,
        supporter=delivery.pledge.supporter,
        context={"day": delivery.received_on, "items": delivery_items_text(delivery=delivery)},
        key=f"delivery:{delivery.pk}",
    )
    return log.email


def delivery_recorded_receiver(sender, *, delivery: Delivery, **kwargs) -> None:
    delivery_thanks_queue(delivery=delivery)

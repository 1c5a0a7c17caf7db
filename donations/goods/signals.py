"""Events of the goods app for the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# A delivery was recorded and should be thanked: send(sender=Delivery, delivery=<Delivery>).
# Sent inside the recording transaction, so a thank-you is queued with the delivery or not at all.
delivery_recorded = Signal()

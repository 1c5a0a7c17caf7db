"""Events of the money ledger that upper apps (campaigns) react to, without donations importing
them. Receivers are connected in the upper app's AppConfig.ready().

Receivers must be idempotent: `gift_recorded` is sent again by the sweeper for any gift whose
side effects were not all confirmed (a worker killed half-way), so it can reach a receiver that
already ran for that gift. An exception in a receiver leaves the gift to be retried.
"""

from django.dispatch import Signal

# A gift was committed to the ledger. Sent from a task after the commit, with `donation`.
gift_recorded = Signal()

# A gift's refunded total went up (committed). Sent on commit, with `donation`.
gift_refunded = Signal()

# An offline gift was corrected by staff (committed). Sent on commit, with `donation` and
# `previous_campaign_id` (the campaign it counted towards before, or None). The gift's effects
# (gift_recorded) run again for its current campaign; this tells receivers about the old one.
gift_changed = Signal()

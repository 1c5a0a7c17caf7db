"""What the thank-you page after Stripe Checkout may say (DonatePage.thanks)."""

from dataclasses import dataclass

from wagtail.models import Page

from .models import CheckoutRequest, Donation


@dataclass(frozen=True)
class CheckoutThanks:
    found: bool = False
    recorded: bool = False
    monthly: bool = False
    amount_yen: int | None = None
    campaign: Page | None = None


def checkout_thanks(*, session_id: str) -> CheckoutThanks:
    """What the thank-you page may say after Checkout. The redirect can arrive before Stripe's
    webhook, so it only says the gift is recorded once the ledger has it."""
    if not session_id or len(session_id) > 255:
        return CheckoutThanks()
    checkout = (
        CheckoutRequest.objects.filter(stripe_session_id=session_id)
        .select_related("campaign")
        .first()
    )
    if checkout is None:
        return CheckoutThanks()
    monthly = checkout.frequency == CheckoutRequest.Frequency.MONTHLY
    if monthly:
        # A visitor becomes a supporter only when the paid event arrives: until then there is
        # no one to look for (never query on an empty key).
        recorded = (
            checkout.supporter_id is not None
            and Donation.objects.filter(
                supporter_id=checkout.supporter_id,
                kind=Donation.Kind.MONTHLY,
                paid_at__gte=checkout.created_at,
            ).exists()
        )
    else:
        recorded = Donation.objects.filter(stripe_checkout_session_id=session_id).exists()
    campaign = checkout.campaign.specific if checkout.campaign else None
    # The donate block may sit on any page; only campaign pages (campaigns/models.py says so
    # with `names_gifts_on_thanks`) are named, without this layer importing campaigns.
    if not getattr(campaign, "names_gifts_on_thanks", False) or not campaign.live:
        campaign = None
    if campaign is not None:
        campaign = campaign.localized  # the visitor's language if that translation is live
    return CheckoutThanks(
        found=True,
        recorded=recorded,
        monthly=monthly,
        amount_yen=checkout.amount_yen,
        campaign=campaign,
    )

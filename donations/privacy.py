"""What the donations app holds about a supporter, for "download my data" and for deletion
requests (registered with members/privacy.py in DonationsConfig.ready()).

Gifts, monthly gifts and receipts are accounting records that must be kept (法人税法・所得税法の
帳簿書類の保存義務: seven years), so on deletion their rows stay; the free text the donor wrote is
blanked. Goods pledges (donations/goods/privacy.py) and receipts (donations/receipts/privacy.py)
have their own parts.
"""

from typing import Any

from members.models import Supporter
from members.services import export_record

from .models import CheckoutRequest, Donation, MonthlyGiftRequest

STRIPE_FIELDS = (
    "stripe_checkout_session_id",
    "stripe_payment_intent_id",
    "stripe_invoice_id",
    "stripe_charge_id",
)


def supporter_money_export(supporter: Supporter) -> dict[str, list[dict[str, Any]]]:
    return {
        "gifts": [
            export_record(gift, exclude=("supporter", "recorded_by", "note", *STRIPE_FIELDS))
            for gift in supporter.donations.select_related(
                "campaign", "membership__plan", "membership__supporter", "recurring__supporter"
            ).order_by("paid_at", "pk")
        ],
        "monthly_gifts": [
            export_record(
                recurring,
                exclude=("supporter", "stripe_subscription_id", "stripe_customer_id"),
            )
            for recurring in supporter.recurring_donations.select_related("campaign").order_by("pk")
        ],
        "monthly_gift_requests": [
            export_record(request, exclude=("supporter",))
            for request in supporter.monthly_gift_requests.order_by("pk")
        ],
    }


def supporter_money_anonymise(supporter: Supporter) -> None:
    Donation.objects.filter(supporter=supporter).exclude(message="").update(message="")
    MonthlyGiftRequest.objects.filter(supporter=supporter).update(message="")
    # The donor's details typed on the donate form are kept with each request until paid.
    CheckoutRequest.objects.filter(supporter=supporter).update(
        message="",
        email="",
        family_name="",
        given_name="",
        family_name_kana="",
        given_name_kana="",
    )

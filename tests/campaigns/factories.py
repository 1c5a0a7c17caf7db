import datetime

import factory
from django.utils import timezone
from wagtail.test.utils.wagtail_factories import PageFactory

from campaigns.models import CampaignIndexPage, CampaignPage
from donations.models import Donation
from donations.services import StripeKeys, donation_record


class CampaignIndexPageFactory(PageFactory):
    title = "キャンペーン"
    slug = "campaigns"

    class Meta:
        model = CampaignIndexPage


class CampaignPageFactory(PageFactory):
    title = factory.Sequence(lambda n: f"夏休みの食支援{n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    summary = "給食のない夏休みに、お昼ごはんを届けます。"
    goal_yen = 100_000
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))

    class Meta:
        model = CampaignPage


def campaign_gift(supporter, campaign, amount=3000, **kwargs) -> Donation:
    """A gift through the ledger service, as webhooks and staff record them."""
    donation, _created = donation_record(
        supporter=supporter,
        kind=kwargs.pop("kind", Donation.Kind.ONE_OFF),
        method=kwargs.pop("method", Donation.Method.CARD),
        amount_yen=amount,
        paid_at=kwargs.pop("paid_at", timezone.now() - datetime.timedelta(hours=1)),
        campaign_id=campaign.pk if campaign else None,
        stripe_keys=kwargs.pop("stripe_keys", None) or StripeKeys(),
        **kwargs,
    )
    return donation

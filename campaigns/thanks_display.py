"""How staff screens name thank-yous: a bulk thank-you's title with its placeholders filled in,
and the thing a thank-you was for (a gift, a campaign, a delivery, a bulk thank-you) as a link,
never the raw unique key. Registers the outbox purposes of thank-you mail (ouendan.core)."""

import uuid

from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from donations.goods.models import Delivery
from donations.models import Donation
from members.models import Supporter
from ouendan.core.outbox_purposes import outbox_purpose_register

from .models import CampaignPage, ThankYouBatch, ThankYouKind, ThankYouLog
from .thanks import thank_you_values

# What each kind of automatic thank-you is, as staff read it in the outbox.
THANKS_PURPOSES = {
    ThankYouKind.ONE_OFF: _("Thanks for a gift"),
    ThankYouKind.FIRST_MONTHLY: _("Thanks for a gift"),
    ThankYouKind.MEMBERSHIP_JOINED: _("Thanks for a membership"),
    ThankYouKind.MEMBERSHIP_RENEWED: _("Thanks for a membership"),
    ThankYouKind.INKIND_DELIVERY: _("Thanks for goods"),
    ThankYouKind.CAMPAIGN_GOAL_REACHED: _("Campaign thanks"),
    ThankYouKind.VOLUNTEER_MILESTONE: _("Volunteer milestone thanks"),
}


class _Placeholders(dict):
    """Recipient-specific placeholders read as a description ("(name)"), not as "{name}"."""

    def __missing__(self, key):
        return "{" + key + "}"


def thank_you_batch_title(batch: ThankYouBatch, *, language: str | None = None) -> str:
    """The batch's subject as its recipients read it, in the staff's language: {campaign},
    {organisation} and {date} filled in (the date the batch was created), {name}, {amount} and
    {items} described, since they differ per recipient."""
    language = language or translation.get_language() or "ja"
    language = "en" if language.startswith("en") else "ja"
    subject = batch.subject_en if language == "en" and batch.subject_en else batch.subject
    campaign = batch.campaign.specific if batch.campaign_id and batch.campaign else None
    with translation.override(language):
        values = _Placeholders(
            thank_you_values(
                supporter=_Nobody(),
                language=language,
                campaign=campaign,
                day=timezone.localdate(batch.created_at),
            )
        )
        values.update(
            name=gettext("(recipient's name)"), amount=gettext("(amount)"), items=gettext("(goods)")
        )
        try:
            return subject.format_map(values).replace("\n", " ").strip()
        except (ValueError, IndexError):  # a subject saved around the validation: as it is
            return subject


class _Nobody:
    display_name = ""


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _pk(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def thank_you_object_link(object_key: str) -> tuple[str, str | None] | None:
    """(text, admin URL) of what a thank-you was for, from its ThankYouLog object key
    ("donation:12", "campaign:<uuid>", "campaign:<uuid>:supporter:3", "delivery:5",
    "volunteer:3:shifts:10")."""
    kind, _sep, rest = (object_key or "").partition(":")
    if kind == "donation":
        donation = Donation.objects.select_related("supporter").filter(pk=_pk(rest)).first()
        if donation:
            return str(donation), _admin_url("donation:inspect", donation.pk)
    elif kind == "campaign" and _is_uuid(rest.split(":")[0]):
        pages = CampaignPage.objects.filter(translation_key=rest.split(":")[0])
        campaign = pages.filter(locale__language_code="ja").first() or pages.first()
        if campaign:
            return campaign.title, _admin_url("wagtailadmin_pages:edit", campaign.pk)
    elif kind == "delivery":
        delivery = Delivery.objects.select_related("pledge__supporter").filter(pk=_pk(rest)).first()
        if delivery:
            return str(delivery.pledge), _admin_url("pledge:inspect", delivery.pledge_id)
    elif kind == "volunteer":
        supporter = Supporter.objects.filter(pk=_pk(rest.split(":")[0])).first()
        if supporter:
            return str(supporter), _admin_url("supporter:inspect", supporter.pk)
    return None


def thank_you_log_link(log: ThankYouLog) -> tuple[str, str | None] | None:
    return thank_you_object_link(log.object_key)


def _thanks_link(parts: list[str]):
    return thank_you_object_link(":".join(parts))


def _batch_link(parts: list[str]):
    batch = ThankYouBatch.objects.select_related("campaign").filter(pk=_pk(parts[0])).first()
    if batch is None:
        return None
    return thank_you_batch_title(batch), _admin_url("campaign_thanks:detail", batch.pk)


def outbox_purposes_register() -> None:
    for kind, label in THANKS_PURPOSES.items():
        outbox_purpose_register(f"thanks:{kind}", label, link=_thanks_link)
    outbox_purpose_register("thanks-batch", _("Bulk thanks"), link=_batch_link)

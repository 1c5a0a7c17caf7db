"""Who a segment reaches. Consent is not a filter staff choose: every audience is only
supporters who may receive marketing mail (members.mail.supporter_mailable's MARKETING rule, as
one query): an address, ACTIVE (confirmed), not merged or anonymised, no deletion request
waiting, the newest newsletter consent granted, and the address not suppressed (bounced or
marked as spam)."""

import datetime

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from donations.goods.models import Pledge
from donations.models import Donation, RecurringDonation
from donations.receipts.selectors import year_bounds
from members.models import DeletionRequest, Supporter
from ouendan.core.suppression import suppressed_emails

from .models import AudienceSegment, Choice, Mailing, MailingRecipient


def news_audience() -> QuerySet[Supporter]:
    """Everybody who may receive the newsletter now."""
    # `newsletter_consent` is the newest newsletter record's answer, kept on the supporter row
    # (members.models.consents) so this is one scan of a partial index
    # (supporter_news_audience_idx) rather than a window over the whole consent history.
    deletion_waiting = DeletionRequest.objects.filter(
        supporter=OuterRef("pk"), status=DeletionRequest.Status.PENDING
    )
    return (
        Supporter.objects.filter(
            newsletter_consent=True,
            status=Supporter.Status.ACTIVE,
            anonymised_at__isnull=True,
            merged_into__isnull=True,
        )
        .exclude(email="")
        .exclude(Exists(deletion_waiting))
        .annotate(address=Lower("email"))
        .exclude(address__in=suppressed_emails())
    )


def _choice(queryset: QuerySet, value: str, condition: Q) -> QuerySet:
    if value == Choice.YES:
        return queryset.filter(condition)
    if value == Choice.NO:
        return queryset.exclude(condition)
    return queryset


def segment_supporters(segment: AudienceSegment, *, now=None) -> QuerySet[Supporter]:
    """The supporters a segment reaches now (consent and contactability always applied)."""
    supporters = news_audience()
    if segment.supporter_kind:
        supporters = supporters.filter(kind=segment.supporter_kind)
    if segment.language:
        supporters = supporters.filter(preferred_language=segment.language)
    supporters = _choice(supporters, segment.volunteer, Q(is_volunteer=True))
    if segment.pk:
        districts = list(segment.school_districts.values_list("pk", flat=True))
        interests = list(segment.interests.values_list("pk", flat=True))
        if districts:
            supporters = supporters.filter(
                pk__in=Supporter.objects.filter(volunteer_profile__areas__in=districts).values("pk")
            )
        if interests:
            supporters = supporters.filter(
                pk__in=Supporter.objects.filter(volunteer_profile__interests__in=interests).values(
                    "pk"
                )
            )
    monthly = Exists(
        RecurringDonation.objects.filter(
            supporter=OuterRef("pk"),
            status__in=[RecurringDonation.Status.ACTIVE, RecurringDonation.Status.PAST_DUE],
        )
    )
    supporters = _choice(supporters, segment.monthly_donors, monthly)
    corporate = Q(kind=Supporter.Kind.ORGANISATION) | Exists(
        Pledge.objects.filter(supporter=OuterRef("pk"))
    )
    supporters = _choice(supporters, segment.corporate_contacts, corporate)
    if segment.lapsed:
        # Lapsed donors by the date of their last gift (one grouped pass over the ledger):
        # LYBUNT's last gift was last year, SYBUNT's before it, "either" before this year.
        year = timezone.localdate(now).year
        this_start, next_start = year_bounds(year)
        last_start, _ = year_bounds(year - 1)
        bounds = {
            AudienceSegment.Lapsed.LYBUNT: {"last__gte": last_start, "last__lt": this_start},
            AudienceSegment.Lapsed.SYBUNT: {"last__lt": last_start},
        }.get(segment.lapsed, {"last__lt": this_start})
        donors = (
            Donation.objects.filter(
                amount_yen__gt=F("refunded_yen"), paid_at__lt=next_start, supporter__isnull=False
            )
            .order_by()
            .values("supporter_id")
            .annotate(last=Max("paid_at"))
            .filter(**bounds)
            .values("supporter_id")
        )
        supporters = supporters.filter(pk__in=donors)
    return supporters


def segment_count(segment: AudienceSegment) -> int:
    return segment_supporters(segment).order_by().count()


def mailing_counts(mailing: Mailing) -> dict[str, int]:
    """The report: how many recipients were sent, and what the provider told us since."""
    rows = MailingRecipient.objects.filter(mailing=mailing).order_by()
    by_status = dict(_grouped(rows, "status"))
    by_delivery = dict(_grouped(rows.exclude(delivery=""), "delivery"))
    status = MailingRecipient.Status
    delivery = MailingRecipient.Delivery
    return {
        "total": sum(by_status.values()),
        "pending": by_status.get(status.PENDING, 0),
        "sending": by_status.get(status.SENDING, 0),
        "sent": by_status.get(status.SENT, 0),
        "skipped": by_status.get(status.SKIPPED, 0),
        "failed": by_status.get(status.FAILED, 0),
        "delivered": by_delivery.get(delivery.DELIVERED, 0),
        "bounced": by_delivery.get(delivery.BOUNCED, 0),
        "complained": by_delivery.get(delivery.COMPLAINED, 0),
        "unsubscribed": by_delivery.get(delivery.UNSUBSCRIBED, 0),
    }


def _grouped(rows: QuerySet, field: str) -> list[tuple[str, int]]:
    return list(rows.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def mailings_due(*, now=None) -> list[int]:
    """Scheduled mailings whose time has come."""
    now = now or timezone.now()
    return list(
        Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=now).values_list(
            "pk", flat=True
        )
    )


def mailings_stalled(*, older_than: datetime.timedelta) -> list[int]:
    """Mailings still sending whose worker stopped moving them (killed, task lost)."""
    cutoff = timezone.now() - older_than
    return list(
        Mailing.objects.filter(status=Mailing.Status.SENDING)
        .filter(Q(touched_at__isnull=True) | Q(touched_at__lt=cutoff))
        .values_list("pk", flat=True)
    )

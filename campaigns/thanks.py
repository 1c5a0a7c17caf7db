"""Thanking donors: staff-editable templates, one thank-you per gift, and bulk thanks.

Every thank-you is claimed first in `ThankYouLog` (unique per kind and object) and then queued in
the outbox under a unique key, in one transaction: a task that runs twice, or two workers at
once, can never thank anybody twice for the same thing.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, QuerySet
from django.utils import timezone, translation
from wagtail.models import Page

from donations.models import Donation
from members.mail import MailPurpose, MailText, supporter_email_queue, supporter_language
from members.models import NOT_CONTACTABLE, Supporter
from ouendan.core.jobs import job_progress, jobs_stuck
from ouendan.core.models import OrganisationSettings, OutgoingEmail

from .models import (
    CampaignPage,
    ThankYouBatch,
    ThankYouBatchRecipient,
    ThankYouKind,
    ThankYouLog,
    ThankYouTemplate,
    placeholders_validate,
)
from .tally import tallies_compute, tallies_read
from .thank_you_defaults import DEFAULTS

logger = logging.getLogger(__name__)

# Gifts recorded long after they were paid (imports, old history) are not thanked automatically.
THANK_GIFTS_WITHIN = datetime.timedelta(days=30)


# --- Rendering ---------------------------------------------------------------------------------


def _date_text(day: datetime.date | None, language: str) -> str:
    if day is None:
        return ""
    if language == "en":
        return f"{day.day} {day:%B} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def _campaign_title(campaign: Page | None, language: str) -> str:
    if campaign is None:
        return ""
    with translation.override(language):
        return campaign.localized.title  # the live translation, else the page itself


def _organisation_name() -> str:
    return OrganisationSettings.for_default_site().name


def _milestone_text(milestone: tuple[str, int] | None, language: str) -> str:
    if milestone is None:
        return ""
    kind, count = milestone
    if language == "en":
        return f"{count} shifts" if kind == "shifts" else f"{count} hours"
    return f"{count}回目の活動" if kind == "shifts" else f"活動時間{count}時間"


def thank_you_values(
    *,
    supporter: Supporter,
    language: str,
    amount_yen: int | None = None,
    campaign: Page | None = None,
    day: datetime.date | None = None,
    organisation: str | None = None,
    items: str = "",
    milestone: tuple[str, int] | None = None,
    shifts: int | None = None,
    hours: float | None = None,
) -> dict[str, str]:
    """The placeholder values for one recipient, in their language. milestone: a volunteer's
    ("shifts" or "hours", count)."""
    fallback = "Supporter" if language == "en" else "ご支援者"
    return {
        "milestone": _milestone_text(milestone, language),
        "shifts": "" if shifts is None else str(shifts),
        "hours": "" if hours is None else f"{round(hours, 1):g}",
        "name": supporter.display_name or fallback,
        "amount": f"{amount_yen:,}" if amount_yen is not None else "",
        "campaign": _campaign_title(campaign, language),
        "date": _date_text(day, language),
        "organisation": _organisation_name() if organisation is None else organisation,
        "items": items,
    }


def thank_you_texts(*, kind: str, language: str) -> tuple[str, str]:
    """Subject and body for a kind: the staff's template, else the built-in default."""
    template = ThankYouTemplate.objects.filter(kind=kind, language=language).first()
    if template is not None:
        return template.subject, template.body
    return DEFAULTS.get((kind, language)) or DEFAULTS[(kind, "ja")]


def thank_you_format(*, subject: str, body: str, values: dict[str, str]) -> tuple[str, str]:
    """Fill in the placeholders. Raises ValidationError for unknown placeholders."""
    placeholders_validate(subject)
    placeholders_validate(body)
    return subject.format_map(values).replace("\n", " ").strip(), body.format_map(values)


def thank_you_render(*, kind: str, language: str, values: dict[str, str]) -> tuple[str, str]:
    subject, body = thank_you_texts(kind=kind, language=language)
    try:
        return thank_you_format(subject=subject, body=body, values=values)
    except ValidationError:  # a template saved around the validation: never fail a thank-you
        logger.warning("Thank-you template %s/%s is invalid; using the default", kind, language)
        subject, body = DEFAULTS.get((kind, language)) or DEFAULTS[(kind, "ja")]
        return thank_you_format(subject=subject, body=body, values=values)


# --- Queueing once -----------------------------------------------------------------------------


def thanks_queue(
    *,
    kind: str,
    supporter: Supporter,
    context: dict,
    key: str,
) -> tuple[ThankYouLog, bool]:
    """Thank one supporter for one thing (`key`, e.g. "donation:12"), at most once.

    context: amount_yen, campaign (a page), day (a date), items (text), milestone, shifts,
    hours. The text is the kind's thank-you template. Returns (log entry, created)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = ThankYouLog.objects.create(
                    kind=kind,
                    object_key=key,
                    supporter=supporter,
                    status=ThankYouLog.Status.NO_EMAIL,
                )
        except IntegrityError:
            return ThankYouLog.objects.get(kind=kind, object_key=key), False

        def render(language: str) -> MailText:
            values = thank_you_values(supporter=supporter, language=language, **context)
            subject, body = thank_you_render(kind=kind, language=language, values=values)
            return MailText(subject=subject, body=body)

        queued = supporter_email_queue(
            supporter=supporter,
            key=f"thanks:{kind}:{key}"[:200],
            purpose=MailPurpose.THANKS,
            # Thanks for gifts, fees and goals are money (Finance only); for goods and
            # volunteering they are not.
            category=(
                OutgoingEmail.Category.GENERAL
                if kind in (ThankYouKind.INKIND_DELIVERY, ThankYouKind.VOLUNTEER_MILESTONE)
                else OutgoingEmail.Category.MONEY
            ),
            render=render,
        )
        if queued is None:  # may not be mailed (members.mail): logged as "no e-mail"
            return log, True
        log.email = queued.message
        log.status = ThankYouLog.Status.QUEUED
        log.save(update_fields=["email", "status"])
        return log, True


# --- Automatic thanks per gift -----------------------------------------------------------------


def _donation_thank_kind(donation: Donation) -> str | None:
    earlier = Donation.objects.filter(paid_at__lt=donation.paid_at).exclude(pk=donation.pk)
    if donation.kind == Donation.Kind.MEMBERSHIP:
        if donation.membership_id and earlier.filter(membership_id=donation.membership_id).exists():
            return ThankYouKind.MEMBERSHIP_RENEWED
        return ThankYouKind.MEMBERSHIP_JOINED
    if donation.kind == Donation.Kind.MONTHLY:
        same_gift = (
            earlier.filter(recurring_id=donation.recurring_id)
            if donation.recurring_id
            else earlier.filter(supporter_id=donation.supporter_id, kind=Donation.Kind.MONTHLY)
        )
        return None if same_gift.exists() else ThankYouKind.FIRST_MONTHLY
    return ThankYouKind.ONE_OFF


def donation_thank_send(*, donation_id: int) -> ThankYouLog | None:
    """Thank the donor for one gift, once: one-off gift, first monthly gift (later monthly
    payments are not thanked one by one), membership joined or renewed. Then check whether the
    gift completed its campaign's goal."""
    donation = (
        Donation.objects.select_related("supporter", "campaign").filter(pk=donation_id).first()
    )
    if donation is None:
        return None
    log = None
    kind = _donation_thank_kind(donation)
    recent = donation.paid_at >= timezone.now() - THANK_GIFTS_WITHIN
    # An anonymous gift (a collection box) has nobody to thank; it still counts for the goal.
    has_donor = donation.supporter_id is not None
    if has_donor and kind and recent and donation.refunded_yen < donation.amount_yen:
        log, _created = thanks_queue(
            kind=kind,
            supporter=donation.supporter,
            context={
                "amount_yen": donation.amount_yen,
                "campaign": donation.campaign,
                "day": timezone.localdate(donation.paid_at),
            },
            key=f"donation:{donation.pk}",
        )
    if donation.campaign_id:
        campaign_goal_check(campaign_id=donation.campaign_id)
    return log


# --- Campaign goal reached ---------------------------------------------------------------------


def campaign_goal_check(*, campaign_id: int) -> bool:
    """When a campaign's gifts (net of refunds) reach its money goal for the first time, thank
    each of its donors once. Returns whether the goal was reached just now."""
    from .tasks import campaign_goal_thank_task  # tasks.py imports this module

    campaign = CampaignPage.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.goal_yen:
        return False
    # The kept progress: recomputed from the ledger after this gift committed, before this
    # check (gift_effects.gift_recorded_receiver); computed here when there is none.
    key = str(campaign.translation_key)
    raised, _donors, _gifts = (
        tallies_read([key]).get(key) or tallies_compute([key], replace=True)[key]
    )
    if raised < campaign.goal_yen:
        return False
    try:
        with transaction.atomic():
            ThankYouLog.objects.create(
                kind=ThankYouKind.CAMPAIGN_GOAL_REACHED,
                object_key=f"campaign:{campaign.translation_key}",
                status=ThankYouLog.Status.QUEUED,
            )
    except IntegrityError:
        return False  # already celebrated
    transaction.on_commit(lambda: campaign_goal_thank_task(campaign.pk))
    return True


def campaign_goal_thank_donors(*, campaign_id: int) -> int:
    """Thank every donor of a campaign that reached its goal (once each). Returns how many
    were thanked now."""
    campaign = CampaignPage.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    thanked = 0
    # Looked up once for every donor, not once each.
    context = {
        "campaign": campaign,
        "day": timezone.localdate(),
        "organisation": OrganisationSettings.for_default_site().name,
    }
    for supporter in campaign_donors(campaign=campaign):
        _log, created = thanks_queue(
            kind=ThankYouKind.CAMPAIGN_GOAL_REACHED,
            supporter=supporter,
            context=context,
            key=f"campaign:{campaign.translation_key}:supporter:{supporter.pk}",
        )
        thanked += created
    return thanked


# --- Bulk thanks -------------------------------------------------------------------------------


def campaign_donors(
    *,
    campaign: Page | None = None,
    paid_from: datetime.date | None = None,
    paid_to: datetime.date | None = None,
) -> QuerySet[Supporter]:
    """Donors with at least one gift (not fully refunded) for the campaign and/or in the date
    range (dates in Japan time), erased donors excluded."""
    gifts = Donation.objects.filter(refunded_yen__lt=F("amount_yen"))
    if campaign is not None:
        gifts = gifts.filter(campaign__translation_key=campaign.translation_key)
    if paid_from:
        gifts = gifts.filter(paid_at__date__gte=paid_from)
    if paid_to:
        gifts = gifts.filter(paid_at__date__lte=paid_to)
    return (
        Supporter.objects.filter(pk__in=gifts.values("supporter_id"))
        .exclude(status__in=NOT_CONTACTABLE)
        .order_by("pk")
    )


def thank_you_batch_recipients(
    *,
    campaign: Page | None = None,
    paid_from: datetime.date | None = None,
    paid_to: datetime.date | None = None,
    skip_already_thanked: bool = True,
) -> QuerySet[Supporter]:
    """Who a bulk thank-you would go to. With skip_already_thanked, donors a previous bulk
    thank-you for the same campaign already reached are left out."""
    donors = campaign_donors(campaign=campaign, paid_from=paid_from, paid_to=paid_to)
    if skip_already_thanked and campaign is not None:
        donors = donors.exclude(
            pk__in=ThankYouBatchRecipient.objects.filter(
                batch__campaign__translation_key=campaign.translation_key,
                status=ThankYouBatchRecipient.Status.QUEUED,
            ).values("supporter_id")
        )
    return donors


@dataclass(frozen=True)
class BatchPreview:
    count: int
    recipient: Supporter | None
    subject: str
    body: str
    with_email: int


def thank_you_batch_preview(
    *, recipients: QuerySet[Supporter], campaign: Page | None, texts: dict
) -> BatchPreview:
    """The message rendered for the first recipient, and how many people would get it."""
    first = recipients.first()
    count = recipients.count()
    with_email = recipients.exclude(email="").count()
    if first is None:
        return BatchPreview(count=0, recipient=None, subject="", body="", with_email=0)
    language = supporter_language(first)
    subject, body = texts.get(language) or texts["ja"]
    values = thank_you_values(
        supporter=first, language=language, campaign=campaign, day=timezone.localdate()
    )
    subject, body = thank_you_format(subject=subject, body=body, values=values)
    return BatchPreview(
        count=count, recipient=first, subject=subject, body=body, with_email=with_email
    )


def thank_you_batch_create(
    *,
    recipients: QuerySet[Supporter],
    campaign: Page | None,
    paid_from: datetime.date | None,
    paid_to: datetime.date | None,
    subject: str,
    body: str,
    subject_en: str = "",
    body_en: str = "",
    user=None,
) -> ThankYouBatch:
    """Store the batch and its recipient list, then send it in a background task."""
    from .tasks import thank_you_batch_task  # tasks.py imports this module

    for text in (subject, body, subject_en, body_en):
        placeholders_validate(text)
    with transaction.atomic():
        batch = ThankYouBatch.objects.create(
            campaign=campaign,
            paid_from=paid_from,
            paid_to=paid_to,
            subject=subject,
            body=body,
            subject_en=subject_en,
            body_en=body_en,
            created_by=user,
        )
        ThankYouBatchRecipient.objects.bulk_create(
            [
                ThankYouBatchRecipient(batch=batch, supporter_id=pk)
                for pk in recipients.values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        batch.total = batch.recipients.count()
        batch.save(update_fields=["total"])
        transaction.on_commit(lambda: thank_you_batch_task(batch.pk))
    return batch


def thank_you_batch_run(*, batch_id: int) -> int:
    """Queue the e-mail for every recipient still waiting. Safe to run again or concurrently:
    each recipient row is locked and its outbox key is unique per batch and supporter.
    Returns how many were processed now."""
    batch = ThankYouBatch.objects.select_related("campaign").filter(pk=batch_id).first()
    if batch is None:
        return 0
    texts = {"ja": (batch.subject, batch.body)}
    if batch.subject_en and batch.body_en:
        texts["en"] = (batch.subject_en, batch.body_en)
    campaign = batch.campaign.specific if batch.campaign else None
    organisation = _organisation_name()
    processed = 0
    pending = batch.recipients.filter(status=ThankYouBatchRecipient.Status.PENDING)
    for recipient_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            recipient = (
                ThankYouBatchRecipient.objects.select_for_update()
                .select_related("supporter")
                .filter(pk=recipient_id, status=ThankYouBatchRecipient.Status.PENDING)
                .first()
            )
            if recipient is None:
                continue  # another run took it
            supporter = recipient.supporter
            recipient.processed_at = timezone.now()

            def render(language: str, supporter: Supporter = supporter) -> MailText:
                subject, body = texts.get(language) or texts["ja"]
                values = thank_you_values(
                    supporter=supporter,
                    language=language,
                    campaign=campaign,
                    day=timezone.localdate(),
                    organisation=organisation,
                )
                subject, body = thank_you_format(subject=subject, body=body, values=values)
                return MailText(subject=subject, body=body)

            try:
                queued = supporter_email_queue(
                    supporter=supporter,
                    key=f"thanks-batch:{batch.pk}:{supporter.pk}",
                    purpose=MailPurpose.THANKS,
                    category=OutgoingEmail.Category.MONEY,  # it names who gave
                    render=render,
                )
            except Exception as exc:  # bad data for one person must not stop the others
                logger.exception("Bulk thank-you %s failed for %s", batch.pk, supporter.pk)
                recipient.status = ThankYouBatchRecipient.Status.FAILED
                recipient.error = f"{type(exc).__name__}: {exc}"[:500]
            else:
                if queued is None:  # may not be mailed (members.mail)
                    recipient.status = ThankYouBatchRecipient.Status.NO_EMAIL
                else:
                    recipient.email = queued.message
                    recipient.status = ThankYouBatchRecipient.Status.QUEUED
            recipient.save(update_fields=["status", "email", "error", "processed_at"])
            processed += 1
    if not batch.recipients.filter(status=ThankYouBatchRecipient.Status.PENDING).exists():
        ThankYouBatch.objects.filter(pk=batch.pk).update(
            status=ThankYouBatch.Status.DONE, finished_at=timezone.now()
        )
    return processed


def thank_you_batch_progress(*, batch_id: int) -> dict:
    batch = ThankYouBatch.objects.get(pk=batch_id)
    counts = {status: 0 for status in ThankYouBatchRecipient.Status.values}
    for row in batch.recipients.values("status").order_by().annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return job_progress(
        status=batch.status,
        status_label=batch.get_status_display(),
        processed=batch.total - counts[ThankYouBatchRecipient.Status.PENDING],
        total=batch.total,
        finished=batch.status == ThankYouBatch.Status.DONE,
        counts=counts,
    )


def thank_you_batch_stuck() -> list[int]:
    """Batches still sending with no progress for 5 minutes: their task was lost. (A batch that
    is still moving is left to the worker sending it.)"""
    stuck = jobs_stuck(
        ThankYouBatch.objects.all(),
        working=[ThankYouBatch.Status.SENDING],
        activity=["created_at", Max("recipients__processed_at")],
        older_than=datetime.timedelta(minutes=5),
    )
    return [batch.pk for batch in stuck]


# --- "Download my data" ------------------------------------------------------------------------


def supporter_thanks_export(supporter: Supporter) -> dict[str, list[dict[str, str]]]:
    """Which thank-yous the supporter was sent (the e-mails themselves are in "emails")."""
    logs = ThankYouLog.objects.filter(supporter=supporter).order_by("created_at", "pk")
    return {
        "thank_yous": [
            {
                "kind": str(log.get_kind_display()),
                "status": str(log.get_status_display()),
                "created_at": timezone.localtime(log.created_at).isoformat(),
            }
            for log in logs
        ]
    }

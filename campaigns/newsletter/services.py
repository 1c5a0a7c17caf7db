"""Scheduling, freezing and sending mailings; test sends; unsubscribing.

Exactly once per recipient: the recipient row is the newsletter's outbox entry (unique per
mailing and supporter). A worker claims a row PENDING → SENDING in its own committed UPDATE
before handing the message to the mail backend, then marks it SENT (a few dozen at a time). A
worker killed after a claim leaves its rows SENDING: never sent again (at most the one mail in
hand lost, shown on the report as "being sent"), never doubled. Batches are huey tasks;
the sweeper (tasks.py) restarts a mailing that stopped.
"""

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from members.mail import supporter_language
from members.models import ConsentRecord, Supporter
from members.services import consent_record

from .models import AudienceSegment, Mailing, MailingRecipient, NewsletterPage
from .rendering import (
    TEST_TOKEN,
    RenderedIssue,
    issue_message,
    issue_render,
    organisation_name,
    placeholder_values,
    unsubscribe_token,
    unsubscribe_token_read,
)
from .selectors import news_audience, segment_supporters

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FREEZE_CHUNK = 2000


def issue_sendable_check(page: NewsletterPage) -> None:
    """Only a published issue with no review in progress is mailed (workflow: the editors'
    review approves it, publishing makes it live)."""
    if not page.live:
        raise ValidationError(_("Publish the issue (after its review) before sending it."))
    if page.workflow_in_progress:
        raise ValidationError(_("The issue is still in review; send it once it is approved."))


def mailing_schedule(
    *,
    page: NewsletterPage,
    segment: AudienceSegment,
    user=None,
    send_at: datetime.datetime | None = None,
) -> Mailing:
    """Schedule an issue to an audience, now or at `send_at`."""
    from .tasks import mailing_start_task  # tasks.py imports this module

    page = page.specific
    issue_sendable_check(page)
    now = timezone.now()
    send_at = send_at or now
    mailing = Mailing.objects.create(page=page, segment=segment, send_at=send_at, created_by=user)
    if send_at <= now:
        transaction.on_commit(lambda: mailing_start_task(mailing.pk))
    else:
        transaction.on_commit(lambda: mailing_start_task.schedule(args=(mailing.pk,), eta=send_at))
    return mailing


def mailing_cancel(*, mailing: Mailing) -> bool:
    """A scheduled mailing that has not started yet."""
    return bool(
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SCHEDULED).update(
            status=Mailing.Status.CANCELLED
        )
    )


def issue_revisions(page: NewsletterPage) -> dict[str, int]:
    """The live revision of the issue in each language it is published in."""
    revisions = {}
    for translated in [page, *page.get_translations()]:
        if translated.live and translated.live_revision_id:
            revisions.setdefault(translated.locale.language_code, translated.live_revision_id)
    return revisions


def mailing_start(*, mailing_id: int, now=None) -> bool:
    """At its time: freeze the recipients (one row each) and start sending. One transaction:
    a worker dying here leaves the mailing scheduled, and the sweeper starts it again."""
    from .tasks import mailing_batch_task  # tasks.py imports this module

    now = now or timezone.now()
    with transaction.atomic():
        claimed = Mailing.objects.filter(
            pk=mailing_id, status=Mailing.Status.SCHEDULED, send_at__lte=now
        ).update(status=Mailing.Status.SENDING, started_at=now, touched_at=now)
        if not claimed:
            return False
        mailing = Mailing.objects.select_related("page", "segment").get(pk=mailing_id)
        mailing.revisions = issue_revisions(mailing.page)
        mailing.recipients_total = recipients_freeze(mailing=mailing)
        mailing.save(update_fields=["revisions", "recipients_total"])
        transaction.on_commit(lambda: mailing_batch_task(mailing_id))
    return True


def recipients_freeze(*, mailing: Mailing) -> int:
    """One row per supporter the audience reaches now; later changes to the audience do not
    add anybody (withdrawals still stop a mail: see mailing_send_batch)."""
    rows = (
        segment_supporters(mailing.segment)
        .order_by("pk")
        .values_list("pk", "email", "preferred_language")
    )
    batch = []
    for pk, email, language in rows.iterator(chunk_size=FREEZE_CHUNK):
        language = supporter_language(Supporter(preferred_language=language))
        batch.append(
            MailingRecipient(mailing=mailing, supporter_id=pk, email=email, language=language)
        )
        if len(batch) >= FREEZE_CHUNK:
            MailingRecipient.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    MailingRecipient.objects.bulk_create(batch, ignore_conflicts=True)
    return MailingRecipient.objects.filter(mailing=mailing).count()


class IssueCache:
    """Each language's rendering of the frozen revision, made once per batch."""

    def __init__(self, mailing: Mailing):
        self.mailing = mailing
        self.rendered: dict[str, RenderedIssue] = {}

    def get(self, language: str) -> RenderedIssue:
        revisions = self.mailing.revisions or {}
        if language not in revisions:
            language = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in revisions else language
        if language not in self.rendered:
            page = self.mailing.page.specific
            revision_id = revisions.get(language)
            if revision_id:
                page = page.revisions.model.objects.get(pk=revision_id).as_object()
            self.rendered[language] = issue_render(page, language=language)
        return self.rendered[language]


def _claim(recipient_id: int, message_id: str) -> bool:
    """PENDING → SENDING, committed before the send (autocommit: callers run outside a
    transaction, as huey tasks do). The Message-ID goes with it, so the provider's reports
    find the row even when the worker dies before marking it sent."""
    return (
        MailingRecipient.objects.filter(
            pk=recipient_id, status=MailingRecipient.Status.PENDING
        ).update(
            status=MailingRecipient.Status.SENDING,
            attempts=F("attempts") + 1,
            message_id=message_id[:200],
        )
        == 1
    )


def _mark_sent(recipient_ids: list[int]) -> None:
    """SENDING → SENT for mails handed to the backend, in one statement per few dozen mails (a
    worker dying before this leaves them "being sent": unconfirmed, never sent again)."""
    if recipient_ids:
        MailingRecipient.objects.filter(
            pk__in=recipient_ids, status=MailingRecipient.Status.SENDING
        ).update(status=MailingRecipient.Status.SENT, sent_at=timezone.now(), last_error="")
        recipient_ids.clear()


def mailing_send_batch(*, mailing_id: int, size: int | None = None) -> int:
    """Send up to `size` pending recipients at the configured rate. Returns how many are still
    pending afterwards (0: the mailing is finished)."""
    size = size or settings.NEWSLETTER_BATCH_SIZE
    interval = 1 / settings.NEWSLETTER_MAILS_PER_SECOND
    mailing = Mailing.objects.select_related("page").filter(pk=mailing_id).first()
    if mailing is None or mailing.status != Mailing.Status.SENDING:
        return 0
    pending = MailingRecipient.objects.filter(
        mailing=mailing, status=MailingRecipient.Status.PENDING
    )
    rows = list(pending.order_by("pk")[:size])
    if rows:
        _send_rows(mailing, rows, interval)
    remaining = pending.count()
    now = timezone.now()
    if remaining:
        Mailing.objects.filter(pk=mailing_id).update(touched_at=now)
    else:
        Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.SENT, finished_at=now, touched_at=now
        )
    return remaining


MARK_SENT_EVERY = 50


def _send_rows(mailing: Mailing, rows: list[MailingRecipient], interval: float) -> None:
    issues = IssueCache(mailing)
    supporter_ids = [row.supporter_id for row in rows if row.supporter_id]
    # Withdrawn, deleted or suppressed since the list was frozen: not sent (one query).
    still = set(news_audience().filter(pk__in=supporter_ids).values_list("pk", flat=True))
    MailingRecipient.objects.filter(
        pk__in=[row.pk for row in rows if row.supporter_id not in still],
        status=MailingRecipient.Status.PENDING,
    ).update(status=MailingRecipient.Status.SKIPPED)
    supporters = Supporter.objects.in_bulk(supporter_ids)
    day = timezone.localdate()
    organisations = {}
    sent: list[int] = []
    connection = get_connection()
    connection.open()
    started = time.monotonic()
    try:
        for number, row in enumerate(row for row in rows if row.supporter_id in still):
            issue = issues.get(row.language)
            language = issue.language
            if language not in organisations:
                organisations[language] = organisation_name(language)
            values = placeholder_values(
                supporter=supporters[row.supporter_id],
                language=language,
                organisation=organisations[language],
                day=day,
            )
            message = issue_message(
                issue, to=row.email, values=values, token=unsubscribe_token(row.pk)
            )
            message.metadata = {"mailing_recipient": str(row.pk)}  # anymail backends only
            message.connection = connection
            if not _claim(row.pk, message.extra_headers["Message-ID"]):
                continue  # another worker has it
            try:
                message.send()
            except Exception as exc:  # SMTP/API errors vary; all mean "not sent, try later"
                error = f"{type(exc).__name__}: {exc}"[:2000]
                status = MailingRecipient.Status
                retry = row.attempts + 1 < MAX_ATTEMPTS
                MailingRecipient.objects.filter(pk=row.pk).update(
                    status=status.PENDING if retry else status.FAILED, last_error=error
                )
                logger.warning("Newsletter mail %s failed: %s", row.pk, error)
                continue
            status_info = getattr(message, "anymail_status", None)
            if status_info is not None and status_info.message_id:  # the provider's own id
                MailingRecipient.objects.filter(pk=row.pk).update(
                    message_id=str(status_info.message_id)[:200]
                )
            sent.append(row.pk)
            if len(sent) >= MARK_SENT_EVERY:
                _mark_sent(sent)
            wait = started + (number + 1) * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
    finally:
        _mark_sent(sent)
        connection.close()


def mailing_test_send(*, page: NewsletterPage, user, language: str | None = None) -> str:
    """Send the issue as it is now (draft included), in `language` when translated, to the
    editor's own address. Returns the address; ValidationError when the user has none."""
    if not user.email:
        raise ValidationError(_("Your account has no e-mail address to send the test to."))
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    page = page.specific
    locale = Locale.objects.filter(language_code=language).first()
    translated = page.get_translation_or_none(locale) if locale else None
    source = (translated or page).get_latest_revision_as_object()
    issue = issue_render(source, language=language)
    # The editor as a supporter would be named (never saved).
    reader = Supporter(family_name=user.last_name, given_name=user.first_name)
    values = placeholder_values(
        supporter=reader,
        language=language,
        organisation=organisation_name(language),
        day=timezone.localdate(),
    )
    message = issue_message(
        issue, to=user.email, values=values, token=TEST_TOKEN, subject_prefix=_("[Test] ")
    )
    message.send()
    return user.email


def newsletter_unsubscribe(*, token: str) -> MailingRecipient | None:
    """The one-click unsubscribe: withdraw the newsletter consent of the recipient the token
    names (source "unsubscribe link"). Safe to repeat. None for a bad token."""
    recipient_id = unsubscribe_token_read(token)
    if recipient_id is None:
        return None
    recipient = MailingRecipient.objects.select_related("supporter").filter(pk=recipient_id).first()
    if recipient is None or recipient.supporter is None:
        return None
    with transaction.atomic():
        consent_record(
            supporter=recipient.supporter,
            kind=ConsentRecord.Kind.NEWSLETTER,
            granted=False,
            source=ConsentRecord.Source.UNSUBSCRIBE,
        )
        MailingRecipient.objects.filter(pk=recipient.pk).update(
            delivery=MailingRecipient.Delivery.UNSUBSCRIBED
        )
    return recipient

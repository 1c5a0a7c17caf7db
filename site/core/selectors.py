"""Reads of the outbox."""

from datetime import timedelta

from django.utils import timezone

from .models import OutgoingEmail

VIEW_MONEY_EMAIL = "core.view_money_email"


def outgoing_email_pending_ids(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Messages still pending a while after they were queued: their task was lost or failed.
    Messages left 'being sent' are not among them: they may have gone out."""
    cutoff = timezone.now() - older_than
    return list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )


def outgoing_email_categories(user) -> list[str]:
    """The outbox categories a user with outbox access may read: money mail is Finance's."""
    if user.has_perm(VIEW_MONEY_EMAIL):
        return [OutgoingEmail.Category.GENERAL, OutgoingEmail.Category.MONEY]
    return [OutgoingEmail.Category.GENERAL]

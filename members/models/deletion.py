"""Supporters' requests to delete their personal data, and their review."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .supporters import Supporter
from .users import User


class DeletionRequest(models.Model):
    """A supporter's request to delete their account; staff review it before anonymising."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        COMPLETED = "completed", _("Anonymised")
        REJECTED = "rejected", _("Rejected")

    supporter = models.ForeignKey(
        Supporter,
        on_delete=models.CASCADE,
        related_name="deletion_requests",
        verbose_name=_("supporter"),
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["supporter"],
                condition=models.Q(status="pending"),
                name="one_pending_deletion_request",
            )
        ]

    def __str__(self):
        return f"{self.supporter} ({self.get_status_display()})"

"""Single-use e-mail links (only their hash is stored)."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .supporters import Supporter


class AccessToken(models.Model):
    """A single-use e-mail link: sign-up confirmation, portal login, or updating the card of a
    monthly gift after a failed payment. Only a hash is stored."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Purpose(models.TextChoices):
        CONFIRM_SIGNUP = "confirm", _("Confirm sign-up")
        LOGIN = "login", _("Log in to the portal")
        BILLING = "billing", _("Update the card of a monthly gift")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="access_tokens")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access link")
        verbose_name_plural = _("access links")

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.supporter}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

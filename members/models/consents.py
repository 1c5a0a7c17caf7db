"""Consent history: append-only grants and withdrawals."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .supporters import Supporter


class ConsentRecord(models.Model):
    """Append-only: every grant or withdrawal is a new row; the newest row per kind is in force."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Kind(models.TextChoices):
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy accepted")
        NEWSLETTER = "newsletter", _("Newsletter")
        SUPPORTERS_WALL = "supporters_wall", _("Name on the supporters' wall")

    class Source(models.TextChoices):
        JOIN_FORM = "join_form", _("Join form")
        DONATE_FORM = "donate_form", _("Donate form (recorded when the gift was paid)")
        PORTAL = "portal", _("Member portal")
        STAFF = "staff", _("Staff")
        IMPORT = "import", _("Import")
        # The per-recipient link in a newsletter, or the mail program's one-click button.
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="consents", verbose_name=_("supporter")
    )
    kind = models.CharField(_("consent"), max_length=20, choices=Kind.choices)
    granted = models.BooleanField(_("granted"))
    policy_version = models.CharField(_("policy version"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [
            models.Index(fields=["supporter", "kind", "-recorded_at"], name="consent_latest_idx")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.granted}"

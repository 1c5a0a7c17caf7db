"""Consent history: append-only grants and withdrawals."""

from django.db import models
from django.db.models.functions import Coalesce
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.kind == self.Kind.NEWSLETTER:
            supporters_refresh_newsletter_consent(supporter_ids=[self.supporter_id])


def supporters_refresh_newsletter_consent(*, supporter_ids=None) -> int:
    """Set `Supporter.newsletter_consent` from each supporter's newest NEWSLETTER record (by
    recorded_at, then pk), in one UPDATE; all supporters when `supporter_ids` is None. Paths
    that add or move records without ConsentRecord.save() (merges, bulk loads, data
    migrations) call this."""
    newest = ConsentRecord.objects.filter(
        supporter=models.OuterRef("pk"), kind=ConsentRecord.Kind.NEWSLETTER
    ).order_by("-recorded_at", "-pk")
    supporters = Supporter.objects.all()
    if supporter_ids is not None:
        supporters = supporters.filter(pk__in=list(supporter_ids))
    return supporters.update(
        newsletter_consent=Coalesce(
            models.Subquery(newest.values("granted")[:1]), models.Value(False)
        )
    )

"""What staff enter for the funding dashboard: running costs and the start-up grant (a site
setting) and grant income received. The tables were created by the donations app and moved here
(migrations/0001).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="table")
class FundingSettings(BaseSiteSetting):
    """Running costs and the start-up grant, for the dashboard's 財源バランス (grant exit)."""

    monthly_running_costs_yen = models.PositiveIntegerField(
        _("monthly running costs (yen)"),
        default=0,
        help_text=_("What the group spends in a normal month: rent, food, staff, insurance..."),
    )
    grant_name = models.CharField(_("grant"), max_length=120, blank=True)
    grant_amount_yen = models.PositiveIntegerField(_("grant amount (yen)"), default=0)
    grant_start_date = models.DateField(_("grant start date"), null=True, blank=True)
    grant_end_date = models.DateField(_("grant end date"), null=True, blank=True)

    panels = [
        FieldPanel("monthly_running_costs_yen"),
        FieldPanel("grant_name"),
        FieldPanel("grant_amount_yen"),
        FieldPanel("grant_start_date"),
        FieldPanel("grant_end_date"),
    ]

    class Meta:
        verbose_name = _("funding")

    def clean(self):
        super().clean()
        if (
            self.grant_start_date
            and self.grant_end_date
            and self.grant_end_date < self.grant_start_date
        ):
            raise ValidationError({"grant_end_date": _("The grant cannot end before it starts.")})


class GrantIncome(models.Model):
    """Money received from a grant (助成金), entered by staff; shown as its own income source."""

    received_on = models.DateField(_("received on"), db_index=True)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    grantor = models.CharField(_("grantor"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    panels = [
        FieldPanel("received_on"),
        FieldPanel("amount_yen"),
        FieldPanel("grantor"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("grant income")
        verbose_name_plural = _("grant income")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yen__gt=0), name="grant_income_positive"
            )
        ]

    def __str__(self):
        return f"{self.received_on} {self.grantor} ¥{self.amount_yen:,}"

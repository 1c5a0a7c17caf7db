"""The network's places: children's places (子どもの居場所), pantries, the food bank."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Area
from ouendan.core.translated import ENGLISH_HELP


class Place(models.Model):
    """One place where the network works; volunteers' shifts and families' visits happen here."""

    class Kind(models.TextChoices):
        KODOMO_SHOKUDO = "kodomo_shokudo", _("Children's cafeteria")
        STUDY = "study", _("Study support")
        PLAY = "play", _("Play space")
        PANTRY = "pantry", _("Food pantry")
        WAREHOUSE = "warehouse", _("Food bank warehouse")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("name (English)"), max_length=100, blank=True, help_text=ENGLISH_HELP
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="places",
        limit_choices_to={"kind": Area.Kind.SCHOOL_DISTRICT},
        verbose_name=_("school district"),
    )
    is_regular = models.BooleanField(
        _("regular place"),
        default=False,
        help_text=_("Open on a regular schedule (定期開催)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Six decimals is about 10 cm: enough for a pin, and exact (no float drift in forms).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_places",
        verbose_name=_("coordinators"),
        help_text=_("Staff who manage this place's shifts and volunteers."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["district__sort_order", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self):
        return self.name

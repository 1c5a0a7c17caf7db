"""Staff-edited lists: areas, skills, interests and membership plans."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from ouendan.core.translated import ENGLISH_HELP, translated


class Area(index.Indexed, models.Model):
    """A school district (小学校区) or children's place (子どもの居場所) volunteers can help in."""

    class Kind(models.TextChoices):
        SCHOOL_DISTRICT = "school_district", _("School district")
        CHILDRENS_PLACE = "childrens_place", _("Children's place")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("kind"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self):
        return self.name


class Skill(models.Model):
    """What a volunteer can do: cooking, tutoring, driving, IT, childcare..."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return self.name


class Interest(models.Model):
    """Activities a volunteer wants to join: food-bank sorting, pantry distribution, events..."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self):
        return self.name


class MembershipPlan(models.Model):
    """A staff-defined way to belong: e.g. individual ¥3,000/year, corporate ¥10,000/unit/year."""

    class Period(models.TextChoices):
        YEAR = "year", _("Yearly")
        MONTH = "month", _("Monthly")
        NONE = "none", _("No fee")

    class Audience(models.TextChoices):
        PERSON = "person", _("Individuals")
        ORGANISATION = "organisation", _("Organisations")
        ANY = "any", _("Anyone")

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(
        _("name (English)"),
        max_length=80,
        blank=True,
        help_text=ENGLISH_HELP,
    )
    audience = models.CharField(
        _("for"), max_length=20, choices=Audience.choices, default=Audience.ANY
    )
    period = models.CharField(_("billing period"), max_length=10, choices=Period.choices)
    amount_yen = models.PositiveIntegerField(
        _("fee (yen)"), default=0, help_text=_("Per unit and period. Whole yen: JPY has no cents.")
    )
    per_unit = models.BooleanField(
        _("charged per unit (口)"),
        default=False,
        help_text=_("Corporate members may take several units."),
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(
        _("description (English)"),
        blank=True,
        help_text=ENGLISH_HELP,
    )
    is_active = models.BooleanField(_("offered to new members"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("audience"),
        FieldPanel("period"),
        FieldPanel("amount_yen"),
        FieldPanel("per_unit"),
        FieldPanel("description"),
        FieldPanel("description_en"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(period="none") | models.Q(amount_yen=0),
                name="plan_free_has_no_fee",
            )
        ]

    def __str__(self):
        # In the page's language: name_en on English pages when staff wrote it.
        return translated(self, "name")

"""The network's places: children's places (子どもの居場所), pantries, the food bank.

A place has what it offers (食・学・遊), who it is for, contact details (shown publicly only when
staff tick them), access and accessibility notes, photos and its regular schedule: one or more
`PlaceSchedule` rows, each kept as an RFC 5545 RRULE built from a simple staff form
(members/places/recurrence.py). Public texts have an English field beside the Japanese
(ouendan.core.translated). The public directory and map is `PlaceIndexPage` (pages.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from members.models import Area
from ouendan.core.translated import ENGLISH_HELP

from .fields import ChoiceListField
from .recurrence import WEEK_CHOICES, schedule_check, schedule_describe, schedule_rrule


class Offer(models.TextChoices):
    """What a place offers: 食 (a meal or food), 学 (study), 遊 (play)."""

    FOOD = "food", _("Food")
    STUDY = "study", _("Study")
    PLAY = "play", _("Play")


class Place(ClusterableModel):
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
        help_text=_("Open on a regular schedule."),
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
    offers = ChoiceListField(
        _("what it offers"),
        choices=Offer.choices,
        default=list,
        blank=True,
        help_text=_("Food, study, play: tick all that apply."),
    )
    audience = models.CharField(
        _("who it is for"),
        max_length=200,
        blank=True,
        help_text=_("For example: primary-school children and their families; anyone welcome."),
    )
    audience_en = models.CharField(
        _("who it is for (English)"), max_length=200, blank=True, help_text=ENGLISH_HELP
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(
        _("description (English)"), blank=True, help_text=ENGLISH_HELP
    )
    access = models.TextField(
        _("how to get there"), blank=True, help_text=_("Nearest station or bus stop, parking.")
    )
    access_en = models.TextField(
        _("how to get there (English)"), blank=True, help_text=ENGLISH_HELP
    )
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_("Step-free entrance, accessible toilet, allergies catered for, …"),
    )
    accessibility_en = models.TextField(
        _("accessibility (English)"), blank=True, help_text=ENGLISH_HELP
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    show_phone = models.BooleanField(_("show the phone number on the public page"), default=False)
    show_email = models.BooleanField(_("show the e-mail address on the public page"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["district__sort_order", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self):
        return self.name

    def offer_labels(self) -> list[str]:
        labels = dict(Offer.choices)
        return [str(labels[code]) for code in Offer.values if code in (self.offers or [])]

    @property
    def has_pin(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PlacePhoto(Orderable):
    place = ParentalKey(Place, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    caption = models.CharField(
        _("caption"),
        max_length=200,
        blank=True,
        help_text=_("Describe the photo for people who cannot see it."),
    )
    caption_en = models.CharField(
        _("caption (English)"), max_length=200, blank=True, help_text=ENGLISH_HELP
    )

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class PlaceSchedule(Orderable):
    """One regular opening rule of a place, e.g. "second and fourth Saturday 11:00–14:00".

    Staff choose the frequency, weekday, weeks of the month or day of the month and the times;
    `rrule` (an RFC 5545 RRULE, read by dateutil) is built from them on save.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        MONTHLY_WEEKDAY = "monthly_weekday", _("Some weeks of the month (e.g. 2nd and 4th)")
        MONTHLY_DATE = "monthly_date", _("Once a month on a date")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    place = ParentalKey(Place, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(
        _("how often"), max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"), choices=Weekday.choices, null=True, blank=True
    )
    weeks = ChoiceListField(
        _("weeks of the month"),
        choices=WEEK_CHOICES,
        default=list,
        blank=True,
        help_text=_("For “some weeks of the month”: 1st, 2nd, …, last."),
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), null=True, blank=True, help_text=_("For “once a month on a date”.")
    )
    start_time = models.TimeField(_("opens at"))
    end_time = models.TimeField(_("closes at"))
    skip_holidays = models.BooleanField(
        _("closed on public holidays"),
        default=True,
        help_text=_("Dates that fall on a Japanese public holiday are left out."),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=100, blank=True, help_text=_("For example: lunch from 12:00.")
    )
    note_en = models.CharField(
        _("note (English)"), max_length=100, blank=True, help_text=ENGLISH_HELP
    )
    rrule = models.CharField(_("recurrence rule (RFC 5545)"), max_length=200, editable=False)

    class Meta(Orderable.Meta):
        verbose_name = _("regular schedule")
        verbose_name_plural = _("regular schedules")

    def __str__(self):
        return self.describe()

    def clean(self):
        schedule_check(self)

    def save(self, *args, **kwargs):
        self.rrule = schedule_rrule(self)
        super().save(*args, **kwargs)

    def describe(self) -> str:
        return schedule_describe(self)


# The public directory is a Wagtail page type (pages.py): Django finds models in this module.
from .pages import PlaceIndexPage  # noqa: E402, F401

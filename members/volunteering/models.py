"""Volunteering: roles and trainings (staff lists), shifts at places (one-off or from a series),
sign-ups with a waitlist, hours (from attendance or reported), calendar feeds and the link from a
volunteer to the company that sends them (corporate employee volunteering)."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Skill, Supporter
from members.places.models import Place


class Role(models.Model):
    """What a volunteer does on a shift: 調理, 学習支援, 見守り, 送迎, 仕分け…"""

    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return self.name


class Training(models.Model):
    """A training some shifts require (食品衛生, 子ども支援研修), valid for some months."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the training never expires."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self):
        return self.name


class VolunteerTraining(models.Model):
    volunteer = models.ForeignKey(
        Supporter,
        on_delete=models.CASCADE,
        related_name="trainings_completed",
        verbose_name=_("volunteer"),
    )
    training = models.ForeignKey(Training, on_delete=models.PROTECT, verbose_name=_("training"))
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("Filled from the training's validity when left empty."),
    )

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("completed training")
        verbose_name_plural = _("completed trainings")

    def __str__(self):
        return f"{self.volunteer} · {self.training}"

    def save(self, *args, **kwargs):
        if self.expires_on is None and self.training.validity_months:
            months = self.completed_on.month - 1 + self.training.validity_months
            year, month = self.completed_on.year + months // 12, months % 12 + 1
            day = min(self.completed_on.day, 28)
            self.expires_on = datetime.date(year, month, day)
        super().save(*args, **kwargs)


class ShiftSeries(models.Model):
    """A recurring shift (e.g. every 2nd and 4th Saturday 11:00–14:00); shifts are generated from
    it for a window (recurrence.py), idempotently."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name=_("place"))
    role = models.ForeignKey(Role, on_delete=models.PROTECT, verbose_name=_("role"))
    rrule = models.CharField(
        _("recurrence rule"),
        max_length=200,
        help_text=_('An iCalendar RRULE, e.g. "FREQ=MONTHLY;BYDAY=2SA,4SA".'),
    )
    starts_on = models.DateField(_("first date"))
    ends_on = models.DateField(_("last date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    people_needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    required_trainings = models.ManyToManyField(
        Training, blank=True, verbose_name=_("required trainings")
    )
    required_skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("required skills"))
    signup_cutoff_hours = models.PositiveSmallIntegerField(_("sign-up cut-off (hours)"), default=24)
    skip_holidays = models.BooleanField(_("skip public holidays"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift series")
        verbose_name_plural = _("shift series")

    def __str__(self):
        return f"{self.place} · {self.role} · {self.rrule}"


class Shift(models.Model):
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("place")
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, verbose_name=_("role"))
    series = models.ForeignKey(
        ShiftSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("series"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    people_needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    required_trainings = models.ManyToManyField(
        Training, blank=True, verbose_name=_("required trainings")
    )
    required_skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("required skills"))
    signup_cutoff_hours = models.PositiveSmallIntegerField(
        _("sign-up cut-off (hours)"),
        default=24,
        help_text=_("Sign-ups and cancellations close this many hours before the start."),
    )
    # Kept by the sign-up service under the shift's row lock: the list pages read it without
    # counting sign-ups per shift.
    confirmed_count = models.PositiveSmallIntegerField(_("confirmed"), default=0, editable=False)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        # Without it, a staff user sees only the places they coordinate (Place.coordinators).
        permissions = [("view_all_places", _("Can manage shifts at every place"))]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                condition=models.Q(series__isnull=False),
                name="shift_unique_series_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["place", "starts_at"], name="shift_place_start_idx")]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.place} · {self.role} · {start:%Y-%m-%d %H:%M}"

    @property
    def cutoff_at(self) -> datetime.datetime:
        return self.starts_at - datetime.timedelta(hours=self.signup_cutoff_hours)

    @property
    def seats_left(self) -> int:
        return max(self.people_needed - self.confirmed_count, 0)

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Absent")

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("shift")
    )
    volunteer = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    position = models.PositiveIntegerField(
        _("waitlist position"), default=0, help_text=_("Order of arrival on the waitlist.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shift", "position", "pk"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="signup_unique_volunteer")
        ]
        indexes = [models.Index(fields=["volunteer", "status"], name="signup_volunteer_idx")]

    def __str__(self):
        return f"{self.volunteer} · {self.shift}"


class HoursEntry(models.Model):
    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Attendance")
        REPORTED = "reported", _("Reported by the volunteer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    volunteer = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, related_name="hours", verbose_name=_("volunteer")
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name=_("place"))
    signup = models.OneToOneField(
        Signup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hours_entry",
        verbose_name=_("sign-up"),
    )
    # The company the volunteer came for, frozen when the hours are logged (corporate
    # employee volunteering counts for the company).
    employer = models.ForeignKey(
        Supporter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee_hours",
        verbose_name=_("for the company"),
    )
    served_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-served_on", "-pk"]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours")
        indexes = [models.Index(fields=["volunteer", "status"], name="hours_volunteer_idx")]

    def __str__(self):
        return f"{self.volunteer} · {self.served_on} · {self.minutes / 60:.1f}h"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class EmployerLink(models.Model):
    """A volunteer sent by a company (a corporate supporter): their hours count for it."""

    volunteer = models.OneToOneField(
        Supporter,
        on_delete=models.CASCADE,
        related_name="employer_link",
        verbose_name=_("volunteer"),
        limit_choices_to={"kind": Supporter.Kind.PERSON},
    )
    employer = models.ForeignKey(
        Supporter,
        on_delete=models.PROTECT,
        related_name="employee_links",
        verbose_name=_("company"),
        limit_choices_to={"kind": Supporter.Kind.ORGANISATION},
    )

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self):
        return f"{self.volunteer} → {self.employer}"


class CalendarFeed(models.Model):
    """A volunteer's personal iCalendar feed: the URL holds a secret whose hash is stored here;
    regenerating replaces it, revoking deletes it."""

    volunteer = models.OneToOneField(
        Supporter, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.volunteer)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class VolunteerMilestone(models.Model):
    """A milestone a volunteer reached (the 10th shift, 50 hours…), recorded once: the signal
    `volunteer_milestone_reached` is sent when the row is created (campaigns thanks for it)."""

    class Kind(models.TextChoices):
        SHIFTS = "shifts", _("Shifts served")
        HOURS = "hours", _("Hours served")

    volunteer = models.ForeignKey(
        Supporter,
        on_delete=models.CASCADE,
        related_name="volunteer_milestones",
        verbose_name=_("volunteer"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField(_("count"))
    reached_at = models.DateTimeField(_("reached"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer milestone")
        verbose_name_plural = _("volunteer milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "kind", "count"], name="volunteer_milestone_once"
            )
        ]

    def __str__(self):
        return f"{self.volunteer}: {self.count} {self.get_kind_display()}"

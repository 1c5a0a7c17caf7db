"""Supporters (people and organisations) and their volunteer profiles."""

from django.db import models
from django.db.models.functions import Lower, Replace
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .lists import Area, Interest, Skill


class SearchJoin(models.Func):
    """`a || b || c`, flat: text columns that are never NULL (Django's Concat nests one
    COALESCE per pair, which overflows SQLite's parser in a generated column)."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = models.TextField()


# --- Supporters --------------------------------------------------------------------------------


class Supporter(models.Model):
    """A person or an organisation that supports the group (member, donor, volunteer...)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for e-mail confirmation")
        ACTIVE = "active", _("Active")
        DELETION_REQUESTED = "deletion_requested", _("Deletion requested")
        ANONYMISED = "anonymised", _("Anonymised")
        MERGED = "merged", _("Merged into another record")

    class Source(models.TextChoices):
        WEB = "web", _("Join form")
        IMPORT = "import", _("Import")
        STAFF = "staff", _("Entered by staff")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.STAFF
    )

    # A person
    family_name = models.CharField(_("family name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=50, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)

    # An organisation
    organisation_name = models.CharField(_("organisation name"), max_length=120, blank=True)
    organisation_name_kana = models.CharField(
        _("organisation name (kana)"), max_length=120, blank=True
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    invoice_address = models.TextField(_("invoice address"), blank=True)

    # Contact details, normalised on the way in (members/normalise.py)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address_line = models.CharField(_("town and street"), max_length=150, blank=True)
    building = models.CharField(_("building"), max_length=100, blank=True)

    is_volunteer = models.BooleanField(_("volunteer"), default=False, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("ja", "日本語"), ("en", "English")],
        default="ja",
    )
    notes = models.TextField(_("staff notes"), blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # A duplicate record merged into another (members/merge.py): kept as a stub that points at
    # the record that now holds everything, never listed, chosen or mailed.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)

    # The newest membership (the one the staff list shows and filters on), kept by
    # Membership.save()/delete() and members.memberships.supporters_refresh_current_membership
    # in the same transaction as the change; bulk paths (merge, imports) call the latter.
    current_membership = models.ForeignKey(
        "members.Membership",
        verbose_name=_("current membership"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The newsletter consent in force (the newest NEWSLETTER ConsentRecord is a grant), so the
    # mail-news audience is one indexed scan instead of a window over the consent history. Kept
    # by ConsentRecord.save() and members.models.consents.supporters_refresh_newsletter_consent
    # in the same transaction as the change; the history stays the truth (the send path checks
    # it again per recipient).
    newsletter_consent = models.BooleanField(
        _("newsletter consent in force"), default=False, editable=False
    )

    # No Wagtail search index: staff search with plain database lookups, and a second copy of
    # names and e-mails would be one more place personal data must be erased from. The one
    # search column below is computed by the database from the row itself (never a copy that
    # can go stale or survive an erasure): lower-cased names, kana (stored in katakana),
    # e-mail, phone and the phone's digits, one per line. On PostgreSQL a pg_trgm GIN index
    # (migration 0015) makes `LIKE '%term%'` on it an index scan; members.selectors searches it.
    search_text = models.GeneratedField(
        expression=Lower(
            SearchJoin(
                "family_name",
                "given_name",
                models.Value("\n"),
                "family_name_kana",
                "given_name_kana",
                models.Value("\n"),
                "organisation_name",
                models.Value("\n"),
                "organisation_name_kana",
                models.Value("\n"),
                "email",
                models.Value("\n"),
                "phone",
                models.Value("\n"),
                Replace("phone", models.Value("-"), models.Value("")),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
        editable=False,
    )

    class Meta:
        ordering = ["family_name_kana", "given_name_kana", "organisation_name_kana", "pk"]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            # One supporter per e-mail address, whatever its case (imports and the join form
            # dedupe on this). Supporters without e-mail (postal-only) are allowed.
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="supporter_unique_email_ci"
            ),
        ]
        indexes = [
            models.Index(fields=["family_name_kana", "given_name_kana"], name="supporter_kana_idx"),
            # The list's default order, so its first page is an index scan, not a sort.
            models.Index(
                fields=["family_name_kana", "given_name_kana", "organisation_name_kana", "id"],
                name="supporter_list_order_idx",
            ),
            models.Index(fields=["phone"], name="supporter_phone_idx"),
            # The mail-news audience (campaigns.newsletter.selectors.news_audience): only the
            # supporters who may get it, with the address the suppression list is matched on.
            models.Index(
                Lower("email"),
                models.F("id"),
                name="supporter_news_audience_idx",
                condition=models.Q(
                    newsletter_consent=True,
                    status="active",
                    anonymised_at__isnull=True,
                    merged_into__isnull=True,
                )
                & ~models.Q(email=""),
            ),
            # The staff list (members/admin/supporters.py) in its order, with every column its
            # filters and search read: PostgreSQL finds a page's ids and counts a large filtered
            # set from this index alone (index-only), not from the whole table. SQLite has no
            # INCLUDE: a plain index there.
            models.Index(
                fields=["family_name_kana", "given_name_kana", "organisation_name_kana", "id"],
                include=[
                    "current_membership",
                    "kind",
                    "status",
                    "is_volunteer",
                    "created_at",
                    "search_text",
                ],
                condition=~models.Q(status="merged"),
                name="supporter_list_filter_idx",
            ),
            # The same list's COUNT(*) when it is not searching: a quarter of the size of the
            # index above, and in current-membership order for a merge join with Membership's
            # membership_list_idx (plan and membership-status filters).
            models.Index(
                fields=["current_membership"],
                include=["id", "kind", "status", "is_volunteer", "created_at"],
                condition=~models.Q(status="merged"),
                name="supporter_list_count_idx",
            ),
        ]

    def __str__(self):
        return self.display_name or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # `current_membership` and `newsletter_consent` are written only by the membership and
        # consent paths: a full save of an instance loaded before such a change (a form, a
        # merge) must not undo it.
        loaded = not self._state.adding and not kwargs.get("force_insert") and not args
        if loaded and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = _SAVED_FIELDS
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return display_name(self.kind, self.family_name, self.given_name, self.organisation_name)

    @property
    def display_name_kana(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation_name_kana
        return f"{self.family_name_kana} {self.given_name_kana}".strip()


def display_name(kind: str, family_name: str, given_name: str, organisation_name: str) -> str:
    """A supporter's name from its columns (for rows read without building a Supporter)."""
    if kind == Supporter.Kind.ORGANISATION:
        return organisation_name
    return f"{family_name} {given_name}".strip()


_SAVED_FIELDS = [
    f.name
    for f in Supporter._meta.concrete_fields
    if not f.primary_key
    and not f.generated
    and f.name not in ("current_membership", "newsletter_consent")
]

# Supporters who asked to be deleted, or were, and merged duplicates: never e-mailed, never
# named in public.
NOT_CONTACTABLE = (
    Supporter.Status.DELETION_REQUESTED,
    Supporter.Status.ANONYMISED,
    Supporter.Status.MERGED,
)


class VolunteerProfile(models.Model):
    class Slot(models.TextChoices):
        MORNING = "am", _("Morning")
        AFTERNOON = "pm", _("Afternoon")
        EVENING = "eve", _("Evening")

    WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    supporter = models.OneToOneField(
        Supporter,
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
        verbose_name=_("supporter"),
    )
    skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("skills"))
    areas = models.ManyToManyField(Area, blank=True, verbose_name=_("areas"))
    interests = models.ManyToManyField(Interest, blank=True, verbose_name=_("interests"))
    availability = models.JSONField(
        _("availability"),
        default=list,
        blank=True,
        help_text=_('Weekday and time slots such as "sat-am" or "wed-eve".'),
    )
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=100, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=20, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")

    def __str__(self):
        return str(self.supporter)

    @classmethod
    def slot_choices(cls) -> list[tuple[str, str]]:
        return [
            (f"{day}-{slot}", f"{day}-{slot}") for day in cls.WEEKDAYS for slot in cls.Slot.values
        ]

    @classmethod
    def slot_label(cls, code: str) -> str:
        """A slot as staff read it: "sat-am" → "土曜日 午前" / "Saturday Morning". A code from
        elsewhere is shown as it is, so nothing disappears silently."""
        day, _sep, slot = code.partition("-")
        if day not in cls.WEEKDAYS or slot not in cls.Slot.values:
            return code
        return pgettext("availability slot", "%(day)s %(slot)s") % {
            "day": WEEKDAYS[cls.WEEKDAYS.index(day)],
            "slot": cls.Slot(slot).label,
        }

    @property
    def availability_labels(self) -> list[str]:
        """The chosen slots in week order, as labels."""
        order = {code: index for index, (code, _label) in enumerate(self.slot_choices())}
        last = len(order)  # codes from elsewhere after the week, shown as they are
        chosen = sorted(self.availability or [], key=lambda code: (order.get(code, last), code))
        return [self.slot_label(code) for code in chosen]

"""Supporters (people and organisations), volunteers, memberships, consents and their history.

Business rules live in `members/services.py`; these models only hold data and its constraints.
"""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as page_route
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from ouendan.core.storage import private_storage


class User(AbstractUser):
    """Staff login account. Supporters log in to the portal by e-mail link, not with a User;
    the custom model exists from the first migration so it can grow without a painful swap."""

    email = models.EmailField(_("email address"), blank=True, db_index=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"


# --- Staff-edited lists -----------------------------------------------------------------------


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
    is_active = models.BooleanField(_("offered to new members"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("audience"),
        FieldPanel("period"),
        FieldPanel("amount_yen"),
        FieldPanel("per_unit"),
        FieldPanel("description"),
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
        return self.name


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

    # No Wagtail search index: staff search with plain database lookups, and a second copy of
    # names and e-mails would be one more place personal data must be erased from.

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
            models.Index(fields=["phone"], name="supporter_phone_idx"),
        ]

    def __str__(self):
        return self.display_name or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation_name
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def display_name_kana(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation_name_kana
        return f"{self.family_name_kana} {self.given_name_kana}".strip()


# Supporters who asked to be deleted, or were: never e-mailed, never named in public.
NOT_CONTACTABLE = (Supporter.Status.DELETION_REQUESTED, Supporter.Status.ANONYMISED)


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


class Membership(models.Model):
    """One supporter's membership on a plan. Payments point here from the donations ledger
    (`donations.Donation.membership`), one per paid period, so renewals keep their history."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")
        CANCELLED = "cancelled", _("Cancelled")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("supporter")
    )
    plan = models.ForeignKey(
        MembershipPlan, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("plan")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    units = models.PositiveSmallIntegerField(_("units (口)"), default=1)
    amount_yen = models.PositiveIntegerField(
        _("fee per period (yen)"), help_text=_("Plan fee × units when the membership started.")
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)
    renews_on = models.DateField(_("renewal date"), null=True, blank=True, db_index=True)
    auto_renew = models.BooleanField(_("renew automatically"), default=False)
    last_paid_at = models.DateTimeField(_("last paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units__gte=1), name="membership_units_positive"
            ),
        ]

    def __str__(self):
        return f"{self.supporter} — {self.plan}"

    # Paying is offered this many days before the renewal date.
    PAY_AHEAD_DAYS = 30

    def needs_payment(self, today: datetime.date | None = None) -> bool:
        """Whether the member can pay a period now: a fee is due, overdue, or due within
        PAY_AHEAD_DAYS. Free and cancelled memberships never need payment."""
        if self.amount_yen <= 0 or self.status == self.Status.CANCELLED:
            return False
        if self.status in (self.Status.PENDING, self.Status.LAPSED):
            return True
        today = today or timezone.localdate()
        return bool(self.renews_on and (self.renews_on - today).days <= self.PAY_AHEAD_DAYS)


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


class MemberImport(models.Model):
    """One uploaded CSV/XLSX file on its way into the supporters table, with progress."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked: ready to import")
        INVALID = "invalid", _("Has errors: nothing imported")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")
        CANCELLED = "cancelled", _("Cancelled: nothing imported")

    file = models.FileField(_("file"), upload_to="member-imports/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Found by the check but not blocking (an unknown postal code, an address that disagrees).
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Uploaded lists hold personal data: the file is deleted once imported, cancelled or a day
    # old (members/tasks.py), and staff see when it went.
    file_deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def __str__(self):
        return self.original_name


# --- Wagtail pages staff place in the tree -----------------------------------------------------


class JoinPage(RoutablePageMixin, Page):
    """The public sign-up form: supporter, volunteer or corporate supporter.

    Sub-pages (members/views.py does the work): the form, "check your e-mail", the e-mail
    confirmation link and a form to ask for a new confirmation link.
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    thank_you_text = RichTextField(
        _("text after submitting"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_policy_version = models.CharField(
        _("privacy policy version"),
        max_length=20,
        default="2026-04",
        help_text=_("Recorded with every consent. Change it when the policy changes."),
    )
    plans = ParentalManyToManyField(MembershipPlan, blank=True, verbose_name=_("plans offered"))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("thank_you_text"),
        FieldPanel("privacy_page"),
        FieldPanel("privacy_policy_version"),
        FieldPanel("plans"),
    ]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("join page")

    @page_route("", name="join")
    def join_view(self, request):
        from . import views

        return views.join(request, self)

    @page_route("thanks/", name="thanks")
    def thanks_view(self, request):
        from . import views

        return views.join_thanks(request, self)

    @page_route("confirm/<str:token>/", name="confirm")
    def confirm_view(self, request, token):
        from . import views

        return views.join_confirm(request, self, token)

    @page_route("new-link/", name="resend")
    def resend_view(self, request):
        from . import views

        return views.join_resend(request, self)


class MemberPortalPage(RoutablePageMixin, Page):
    """Where supporters log in by e-mail link to see and edit what we hold about them.

    Passwordless: the visitor asks for a single-use login link; the session then holds the
    supporter's id. Every sub-page is private and never cached (members/views.py).
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("member portal page")

    def serve(self, request, view=None, args=None, kwargs=None):
        from . import views

        return views.portal_no_store(super().serve(request, view, args, kwargs))

    @page_route("", name="portal")
    def portal_view(self, request):
        from . import views

        return views.portal_home(request, self)

    @page_route("login/", name="login")
    def login_view(self, request):
        from . import views

        return views.portal_login(request, self)

    @page_route("login/sent/", name="login_sent")
    def login_sent_view(self, request):
        from . import views

        return views.portal_login_sent(request, self)

    @page_route("login/<str:token>/", name="redeem")
    def redeem_view(self, request, token):
        from . import views

        return views.portal_redeem(request, self, token)

    @page_route("logout/", name="logout")
    def logout_view(self, request):
        from . import views

        return views.portal_logout(request, self)

    @page_route("profile/", name="profile")
    def profile_view(self, request):
        from . import views

        return views.portal_profile(request, self)

    @page_route("volunteering/", name="volunteer")
    def volunteer_view(self, request):
        from . import views

        return views.portal_volunteer(request, self)

    @page_route("consents/", name="consents")
    def consents_view(self, request):
        from . import views

        return views.portal_consents(request, self)

    @page_route("download/<str:fmt>/", name="export")
    def export_view(self, request, fmt):
        from . import views

        return views.portal_export(request, self, fmt)

    @page_route("delete/", name="delete")
    def delete_view(self, request):
        from . import views

        return views.portal_delete(request, self)

    @page_route("deleted/", name="deleted")
    def deleted_view(self, request):
        from . import views

        return views.portal_deleted(request, self)

"""Models of the bottom layer: the organisation's settings and the e-mail outbox.

Both were home's models before home became the top layer; they keep their tables (db_table) so
that the move needed no data copy (migrations core/0001 and home/0011).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from .translated import ENGLISH_HELP


@register_setting(icon="site")
class OrganisationSettings(BaseSiteSetting):
    """Who runs this site: shown in the header and footer, in mail, on receipts and certificates."""

    # The header shows the logo on every public page: fetched with the settings, not after.
    select_related = ["logo"]

    name = models.CharField(_("organisation name"), max_length=120, default="子どもの未来応援団")
    name_en = models.CharField(
        _("organisation name (English)"),
        max_length=120,
        blank=True,
        help_text=ENGLISH_HELP,
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    address_en = models.CharField(
        _("address (English)"),
        max_length=255,
        blank=True,
        help_text=_("For example: 1-2-3 Sakurano, Chiyoda-ku, Tokyo. Shown on English pages."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    representative = models.CharField(
        _("representative"),
        max_length=120,
        blank=True,
        help_text=_(
            "Title and name, printed as written on receipts and certificates, "
            "e.g. 理事長 山田 花子."
        ),
    )
    footer_note = models.TextField(_("footer note"), blank=True)
    footer_note_en = models.TextField(_("footer note (English)"), blank=True)
    # Printed on receipts and annual donation certificates (donations/receipts/pdf.py).
    legal_form = models.CharField(
        _("legal form"),
        max_length=60,
        blank=True,
        help_text=_("For example 認定特定非営利活動法人. Printed on receipts."),
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=120,
        blank=True,
        help_text=_(
            "The name of the legal entity (the NPO) that runs the group and receives the "
            "donations, without the legal form. Leave empty when it is the organisation name."
        ),
    )
    corporate_number = models.CharField(_("corporate number (法人番号)"), max_length=13, blank=True)
    certification_number = models.CharField(
        _("certification number"),
        max_length=100,
        blank=True,
        help_text=_("The certified NPO's approval reference, e.g. ○○県指令第123号."),
    )
    certification_date = models.DateField(_("certification date"), null=True, blank=True)
    seal = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("seal (印影)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "An image of the organisation's seal, printed beside the issuer on receipts. "
            "Without it, receipts show an empty box marked 印 to stamp by hand."
        ),
    )
    receipt_note = models.TextField(
        _("note on receipts"),
        blank=True,
        help_text=_("Printed at the foot of every receipt and donation certificate."),
    )
    # The account for gifts by bank transfer, shown on the donate page (always without online
    # payments set up, and as another way to give).
    bank_name = models.CharField(
        _("bank"), max_length=60, blank=True, help_text=_("e.g. さくら野信用金庫")
    )
    bank_branch = models.CharField(
        _("branch"), max_length=60, blank=True, help_text=_("e.g. 中央支店")
    )
    bank_account_type = models.CharField(
        _("account type"),
        max_length=10,
        blank=True,
        choices=[("ordinary", _("Ordinary (普通)")), ("current", _("Current (当座)"))],
        default="ordinary",
    )
    bank_account_number = models.CharField(_("account number"), max_length=8, blank=True)
    bank_account_holder = models.CharField(
        _("account holder (kana)"),
        max_length=120,
        blank=True,
        help_text=_(
            "As the bank writes it, in katakana, e.g. トクヒ）サクラノコソダテネットワーク."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("name_en"),
                FieldPanel("tagline"),
                FieldPanel("tagline_en"),
                FieldPanel("logo"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("postal_code"),
                FieldPanel("address"),
                FieldPanel("address_en"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("representative"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("footer_note"),
        FieldPanel("footer_note_en"),
        MultiFieldPanel(
            [
                FieldPanel("legal_form"),
                FieldPanel("legal_name"),
                FieldPanel("corporate_number"),
                FieldPanel("certification_number"),
                FieldPanel("certification_date"),
                FieldPanel("seal"),
                FieldPanel("receipt_note"),
            ],
            heading=_("Receipts and donation certificates"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("bank_name"),
                FieldPanel("bank_branch"),
                FieldPanel("bank_account_type"),
                FieldPanel("bank_account_number"),
                FieldPanel("bank_account_holder"),
            ],
            heading=_("Bank account for gifts"),
        ),
    ]

    @classmethod
    def for_default_site(cls) -> "OrganisationSettings":
        """The settings of the default site: what mail, receipts and certificates are signed
        with when there is no request to pick a site from (unsaved defaults without a site)."""
        site = Site.objects.filter(is_default_site=True).first()
        return cls.for_site(site) if site else cls()

    @property
    def certified(self) -> bool:
        """A certified (認定 / 特例認定) NPO, whose donors may claim 寄附金控除; the same rule as
        the receipts' issuer check (donations/receipts/selectors.py)."""
        return bool(
            "認定" in self.legal_form or self.certification_number or self.certification_date
        )

    @property
    def legal_entity(self) -> str:
        """Who receives the gifts, with its legal form: 特定非営利活動法人 ○○."""
        return " ".join(part for part in (self.legal_form, self.legal_name or self.name) if part)

    @property
    def bank_account_ready(self) -> bool:
        """Enough to make a transfer: bank, branch, number and holder."""
        return all(
            (self.bank_name, self.bank_branch, self.bank_account_number, self.bank_account_holder)
        )

    class Meta:
        db_table = "home_organisationsettings"
        verbose_name = _("organisation")


class OutgoingEmail(models.Model):
    """The e-mail outbox. Every message is stored here before anything is sent.

    huey delivers a task at most once, so the row, not the task, is the source of truth: the
    unique `key` (e.g. "renewal-reminder:30:membership-12:2027-04-01") stops a message from being
    queued twice, sending marks it sent under a row lock, and a periodic sweep re-queues whatever
    is still pending after a lost task.
    """

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        # Marked before the send: a worker killed mid-send leaves the row here for staff to see,
        # never re-sends it (a lost mail is visible, a doubled one is not undoable).
        SENDING = "sending", _("Being sent (unconfirmed)")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Category(models.TextChoices):
        GENERAL = "general", _("General")
        # Gifts, payments and receipts: readable by Finance only.
        MONEY = "money", _("Money")

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    # What staff may read: single-use links are redacted here.
    body = models.TextField(_("body"))
    # The body as sent when it holds a single-use link; shown on no staff screen and emptied
    # once the message is sent or has failed.
    secret_body = models.TextField(blank=True, editable=False)
    category = models.CharField(
        _("category"),
        max_length=10,
        choices=Category.choices,
        default=Category.GENERAL,
        db_index=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A lazy reference, not an import: members sits above this layer, and the outbox only
    # records whom a mail was for (members' timeline and privacy export read it back).
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("supporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        db_table = "home_outgoingemail"
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        # Money mail (gifts, payments, receipts, fees) is readable by Finance only.
        permissions = [("view_money_email", _("Can view money-related e-mails"))]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class PeriodicTaskRun(models.Model):
    """One run of a periodic task for one period, claimed by whichever worker gets there first:
    every huey worker's scheduler enqueues every periodic task, and the unique (task, period)
    row lets exactly one of them run it (ouendan.core.periodic)."""

    task = models.CharField(_("task"), max_length=200)
    period_start = models.DateTimeField(_("period start"))
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")
        constraints = [
            models.UniqueConstraint(fields=["task", "period_start"], name="core_periodic_run_once")
        ]

    def __str__(self):
        return f"{self.task} {self.period_start:%Y-%m-%d %H:%M}"


class SuppressedAddress(models.Model):
    """An address the mail provider reported as bouncing or complaining (anymail tracking
    webhooks, ouendan.core.suppression): never sent bulk mail again; a bounced address is not
    sent anything. One row per address (lower-cased), the newest report kept."""

    wagtail_reference_index_ignore = True  # a record, not content

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")

    email = models.EmailField(_("email"), unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    provider = models.CharField(_("mail provider"), max_length=30, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return self.email

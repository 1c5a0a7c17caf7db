"""Receipts (領収書) for one gift and annual donation certificates (寄附金受領証明書).

Rules live in services.py (one receipt) and batches.py (a year's certificates); the PDF is drawn
by pdf.py. The tables were created by the donations app and moved here (migrations/0001).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.models import Donation
from ouendan.core.jobs import job_percent
from ouendan.core.storage import private_storage


class ReceiptKind(models.TextChoices):
    GIFT = "gift", _("Receipt for one gift")
    ANNUAL = "annual", _("Annual donation certificate")


class ReceiptCounter(models.Model):
    """The last number handed out per kind and year. Issuing locks this row (select_for_update)
    in the same transaction that inserts the receipt, so numbers are never skipped or reused."""

    kind = models.CharField(max_length=10, choices=ReceiptKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="receipt_counter_kind_year")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last_number}"


class ReceiptBatch(models.Model):
    """Annual certificates for every donor of one calendar year, made by a huey task in chunks."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("donors"), default=0)
    processed = models.PositiveIntegerField(_("donors processed"), default=0)
    issued_count = models.PositiveIntegerField(_("certificates issued"), default=0)
    skipped_count = models.PositiveIntegerField(_("already issued"), default=0)
    emailed_count = models.PositiveIntegerField(_("e-mailed"), default=0)
    postal_count = models.PositiveIntegerField(_("to post"), default=0)
    # The donors still to do are those with a higher id than this (chunks resume from here).
    last_supporter_id = models.PositiveIntegerField(default=0)
    postal_zip = models.FileField(
        _("ZIP for posting"),
        upload_to="receipts/batches/",
        storage=private_storage,
        blank=True,
    )
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveSmallIntegerField(_("failed runs"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("receipt batch")
        verbose_name_plural = _("receipt batches")

    def __str__(self):
        return f"{self.year} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return job_percent(processed=self.processed, total=self.total, finished=self.finished)


class Receipt(models.Model):
    """One issued receipt or certificate. Everything printed is copied here when it is issued
    (donor, address, issuer, gifts), so later edits never change an issued document; a reissue
    (再発行) prints the same snapshot again under the same number."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    Kind = ReceiptKind
    PREFIXES = {ReceiptKind.GIFT: "R", ReceiptKind.ANNUAL: "C"}

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        VOID = "void", _("Void")

    kind = models.CharField(_("kind"), max_length=10, choices=ReceiptKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    supporter = models.ForeignKey(
        "members.Supporter",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("gift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    batch = models.ForeignKey(
        ReceiptBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="receipts",
    )
    # Snapshot taken at issue time.
    donor_name = models.CharField(_("donor name"), max_length=400)  # company + dept + contact
    donor_postal_code = models.CharField(_("donor postal code"), max_length=8, blank=True)
    donor_address = models.TextField(_("donor address"), blank=True)
    lines = models.JSONField(_("gifts"), default=list)  # [{"donation": id, "date", "amount_yen"}]
    total_yen = models.PositiveIntegerField(_("total (yen)"))
    issuer = models.JSONField(_("issuer"), default=dict)  # organisation name, address, numbers
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reissue_count = models.PositiveSmallIntegerField(_("reissues"), default=0)
    reissued_at = models.DateTimeField(_("last reissued"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    pdf = models.FileField(
        _("PDF"), upload_to="receipts/", storage=private_storage, blank=True, max_length=200
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            # The last line of defence behind the locked counter: a number exists once.
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="receipt_unique_sequence"
            ),
            # At most one valid receipt per gift, and one valid certificate per donor and year.
            models.UniqueConstraint(
                fields=["donation"],
                condition=models.Q(kind="gift", status="issued"),
                name="receipt_one_issued_per_gift",
            ),
            models.UniqueConstraint(
                fields=["supporter", "year"],
                condition=models.Q(kind="annual", status="issued"),
                name="receipt_one_issued_certificate_per_year",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="annual") | models.Q(donation__isnull=False),
                name="receipt_gift_has_donation",
            ),
        ]
        indexes = [models.Index(fields=["supporter", "kind", "year"], name="receipt_donor_idx")]

    def __str__(self):
        return self.number

    @property
    def is_reissue(self) -> bool:
        return self.reissue_count > 0

    @property
    def is_provisional(self) -> bool:
        """An annual certificate issued before its year ended (Asia/Tokyo): gifts after the
        issue date are missing. It says so on the PDF and in the portal, and is replaced by the
        final certificate when one is issued after the year (receipt_issue_annual)."""
        return (
            self.kind == ReceiptKind.ANNUAL and timezone.localtime(self.issued_at).year <= self.year
        )


class ReceiptLog(models.Model):
    """Every issue, reissue, void, e-mail and download of a receipt: who, when, why."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REISSUED = "reissued", _("Reissued")
        VOIDED = "voided", _("Voided")
        EMAILED = "emailed", _("E-mailed")
        DOWNLOADED = "downloaded", _("Downloaded")

    receipt = models.ForeignKey(
        Receipt, verbose_name=_("receipt"), on_delete=models.CASCADE, related_name="log"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_donor = models.BooleanField(_("by the donor"), default=False)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("receipt log entry")
        verbose_name_plural = _("receipt log")

    def __str__(self):
        return f"{self.receipt} {self.action}"

"""Uploaded supporter lists on their way into the supporters table."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ouendan.core.storage import private_storage

from .users import User


class MemberImport(models.Model):
    """One uploaded CSV/XLSX file on its way into the supporters table, with progress."""

    wagtail_reference_index_ignore = True  # a record, not content: no usage tracking per save

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked: ready to import")
        INVALID = "invalid", _("Has errors: nothing imported")
        IMPORTING = "importing", _("Importing")
        # Its own context: "Imported" alone is also the supporter timeline's インポートで登録.
        DONE = "done", pgettext_lazy("member import status", "Imported")
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
    # The first new and updated rows, with the changes (members/import_preview.py): personal
    # data like the file itself, so cleared when the file is deleted.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
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

"""Wagtail admin screens for importing supporters from CSV/XLSX and exporting them.

Upload → check (background task, progress bar) → result with errors by line → "Import" →
write (background task, progress bar) → done. Every view needs members.add_supporter; the
export needs members.view_supporter.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from ouendan.core.exports import CSV_CONTENT_TYPE, spreadsheet_file, spreadsheet_response
from ouendan.core.jobs import job_progress_response

from .import_files import FILE_KEPT_FOR, member_import_cancel
from .import_preview import member_import_preview
from .import_progress import member_import_status_label
from .import_template import import_template_columns, import_template_csv, import_template_xlsx
from .imports import (
    EXTENSIONS,
    IN_PROGRESS,
    MAX_UPLOAD_BYTES,
    member_import_confirm,
    member_import_create,
    member_import_error_count,
    member_import_progress,
)
from .models import MemberImport
from .resources import SupporterResource
from .selectors import member_imports_recent, supporters_for_export

IMPORT_PERMISSION = "members.add_supporter"
EXPORT_PERMISSION = "members.view_supporter"
ERRORS_SHOWN = 200
IMPORTS_LISTED = 50


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("A .csv (UTF-8 or Shift_JIS) or .xlsx file of at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def import_list(request):
    _require(request, IMPORT_PERMISSION)
    imports = member_imports_recent(limit=IMPORTS_LISTED)
    for item in imports:
        item.file_delete_by = item.created_at + FILE_KEPT_FOR
        item.status_label = member_import_status_label(member_import=item)
    return TemplateResponse(
        request,
        "members/admin/import_list.html",
        {
            "imports": imports,
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
        },
    )


def import_upload(request):
    _require(request, IMPORT_PERMISSION)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        member_import = member_import_create(upload=form.cleaned_data["file"], user=request.user)
        return redirect("member_imports:detail", member_import.pk)
    return TemplateResponse(
        request,
        "members/admin/import_upload.html",
        {"form": form, "columns": import_template_columns()},
    )


def import_template(request):
    """A blank file to fill in: the importer's headers, an example row and (XLSX) drop-downs."""
    _require(request, IMPORT_PERMISSION)
    kind = request.GET.get("format", "csv")
    if kind == "xlsx":
        content = import_template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        kind, content, content_type = "csv", import_template_csv(), CSV_CONTENT_TYPE
    return spreadsheet_response(
        content, filename=f"member-import-template.{kind}", content_type=content_type
    )


def import_detail(request, pk: int):
    _require(request, IMPORT_PERMISSION)
    member_import = get_object_or_404(MemberImport, pk=pk)
    language = "ja" if (translation.get_language() or "ja").startswith("ja") else "en"
    errors = _messages(member_import.errors, language)
    warnings = _messages(member_import.warnings, language)
    status = member_import.status
    file_kept = member_import.file_deleted_at is None
    member_import.file_delete_by = member_import.created_at + FILE_KEPT_FOR
    member_import.status_label = member_import_status_label(member_import=member_import)
    return TemplateResponse(
        request,
        "members/admin/import_detail.html",
        {
            "member_import": member_import,
            "in_progress": status in IN_PROGRESS,
            "can_confirm": status == MemberImport.Status.VALIDATED and file_kept,
            # Discarding a waiting import, or the file of one that will not be imported.
            "can_cancel": file_kept
            and status
            in (
                MemberImport.Status.VALIDATED,
                MemberImport.Status.INVALID,
                MemberImport.Status.FAILED,
            ),
            "errors": errors[:ERRORS_SHOWN],
            "error_count": member_import_error_count(member_import=member_import),
            "warnings": warnings[:ERRORS_SHOWN],
            "warning_count": member_import_error_count(member_import=member_import, warnings=True),
            "progress": member_import_progress(member_import_id=member_import.pk),
            # Shown while waiting for confirmation; a failed write keeps it until the file goes.
            "preview": member_import_preview(member_import=member_import)
            if status == MemberImport.Status.VALIDATED
            else None,
        },
    )


def _messages(stored: list[dict] | None, language: str) -> list[dict]:
    return [
        {"line": e.get("line"), "column": e.get("column", ""), "message": e.get(language, "")}
        for e in (stored or [])
        if "more" not in e
    ]


@require_POST
def import_cancel(request, pk: int):
    _require(request, IMPORT_PERMISSION)
    member_import = get_object_or_404(MemberImport, pk=pk)
    if member_import_cancel(member_import_id=member_import.pk):
        messages.success(request, _("The import was cancelled and its file deleted."))
    else:
        messages.warning(request, _("This import cannot be cancelled now."))
    return redirect("member_imports:detail", member_import.pk)


@require_POST
def import_confirm(request, pk: int):
    _require(request, IMPORT_PERMISSION)
    member_import = get_object_or_404(MemberImport, pk=pk)
    if not member_import_confirm(member_import_id=member_import.pk):
        messages.warning(request, _("This import is not waiting for confirmation."))
    return redirect("member_imports:detail", member_import.pk)


def import_progress(request, pk: int):
    _require(request, IMPORT_PERMISSION)
    get_object_or_404(MemberImport, pk=pk)
    return job_progress_response(member_import_progress(member_import_id=pk))


def supporter_export(request):
    """All supporters as CSV (UTF-8 with BOM, which Excel opens correctly) or XLSX."""
    _require(request, EXPORT_PERMISSION)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        kind = "csv"
    queryset = supporters_for_export()
    content, content_type = spreadsheet_file(SupporterResource().export(queryset), file_format=kind)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spreadsheet_response(
        content, filename=f"supporters-{stamp}.{kind}", content_type=content_type
    )


urlpatterns = [
    path("", import_list, name="list"),
    path("upload/", import_upload, name="upload"),
    path("template/", import_template, name="template"),
    path("<int:pk>/", import_detail, name="detail"),
    path("<int:pk>/confirm/", import_confirm, name="confirm"),
    path("<int:pk>/cancel/", import_cancel, name="cancel"),
    path("<int:pk>/progress/", import_progress, name="progress"),
    path("export/", supporter_export, name="export"),
]


def import_list_url() -> str:
    return reverse("member_imports:list")

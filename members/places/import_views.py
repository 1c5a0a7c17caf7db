"""Staff screens for the places import (check = preview, then import all or nothing) and export."""

import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from members.import_checks import MSG_FILE_TYPE
from ouendan.core.exports import spreadsheet_response

from .imports import places_export, places_import

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMPORT_PERMISSIONS = ("places.add_place", "places.change_place")


class PlacesImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("The columns of the export. A .csv (UTF-8 or Shift_JIS) or .xlsx file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(MSG_FILE_TYPE)
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def import_view(request):
    if not all(request.user.has_perm(permission) for permission in IMPORT_PERMISSIONS):
        raise PermissionDenied
    form = PlacesImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = places_import(
            upload=io.BytesIO(upload.read()), name=upload.name, commit="import" in request.POST
        )
    language = translation.get_language() or "ja"
    return render(
        request,
        "places/admin/import.html",
        {"form": form, "report": report, "error_key": "ja" if language.startswith("ja") else "en"},
    )


def export_view(request):
    if not request.user.has_perm("places.view_place"):
        raise PermissionDenied
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, content_type = places_export(file_format=file_format)
    stamp = timezone.localdate().isoformat()
    return spreadsheet_response(
        content, filename=f"places-{stamp}.{file_format}", content_type=content_type
    )


urlpatterns = [
    path("import/", import_view, name="import"),
    path("export/", export_view, name="export"),
]

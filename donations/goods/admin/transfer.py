"""Staff screens for the goods import (check, then import all or nothing) and export."""

import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from members.imports import MSG_FILE_TYPE
from ouendan.core.exports import spreadsheet_response

from ..transfer.imports import inkind_import
from ..transfer.resources import KINDS, inkind_export

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class InkindImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[("pledges", _("Pledges")), ("deliveries", _("Deliveries"))],
        widget=forms.RadioSelect,
        initial="pledges",
    )
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
    if not (
        request.user.has_perm("goods.add_pledge") and request.user.has_perm("goods.add_delivery")
    ):
        raise PermissionDenied
    form = InkindImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = io.BytesIO(upload.read())
        report = inkind_import(
            kind=form.cleaned_data["kind"],
            upload=raw,
            name=upload.name,
            commit="import" in request.POST,
            user=request.user,
        )
    language = translation.get_language() or "ja"
    return render(
        request,
        "goods/admin/import.html",
        {
            "form": form,
            "report": report,
            "error_key": "ja" if language.startswith("ja") else "en",
            "export_links": [
                (_("Pledges"), "pledges"),
                (_("Deliveries"), "deliveries"),
            ],
        },
    )


def export_view(request, kind: str):
    permission = {"pledges": "goods.view_pledge", "deliveries": "goods.view_delivery"}
    if kind not in KINDS or not request.user.has_perm(permission[kind]):
        raise PermissionDenied
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, content_type = inkind_export(kind=kind, file_format=file_format)
    stamp = timezone.localdate().isoformat()
    return spreadsheet_response(
        content, filename=f"{kind}-{stamp}.{file_format}", content_type=content_type
    )


urlpatterns = [
    path("import/", import_view, name="import"),
    path("export/<str:kind>/", export_view, name="export"),
]

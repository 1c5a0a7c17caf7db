"""The member portal's side of receipts: donors download their own receipts and certificates."""

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from members.models import Supporter
from members.views import portal_page, portal_supporter, sub_url

from .models import Receipt
from .selectors import portal_receipts
from .services import receipt_log_download, receipt_pdf_ensure


def portal_receipts_part(*, supporter: Supporter) -> str:
    """The receipts part of the portal's donations section (registered in apps.py)."""
    return render_to_string(
        "receipts/includes/portal_receipts.html", {"receipts": portal_receipts(supporter=supporter)}
    )


@require_GET
def portal_receipt_download(request, pk: int):
    """The PDF of one of the logged-in donor's own receipts; anyone else's is "not found"."""
    supporter = portal_supporter(request)
    if supporter is None:
        portal = portal_page()
        return HttpResponseRedirect(sub_url(request, portal, "portal") if portal else "/")
    receipt = Receipt.objects.filter(
        pk=pk, supporter=supporter, status=Receipt.Status.ISSUED
    ).first()
    if receipt is None:
        raise Http404
    receipt_pdf_ensure(receipt=receipt)
    receipt_log_download(receipt=receipt, by_donor=True)
    response = FileResponse(
        receipt.pdf.open("rb"),
        as_attachment=True,
        filename=f"{receipt.number}.pdf",
        content_type="application/pdf",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response

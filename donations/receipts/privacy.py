"""The receipts part of "download my data" (registered with members/privacy.py in apps.py).

Issued receipts are accounting records that must be kept (seven years) and copies of documents
already given out: anonymising a supporter leaves them as issued, so there is no anonymiser.
"""

from typing import Any

from members.models import Supporter
from members.services import export_record

RECEIPT_INTERNAL = ("supporter", "issued_by", "voided_by", "batch", "pdf", "issuer", "lines")


def supporter_receipts_export(supporter: Supporter) -> dict[str, list[dict[str, Any]]]:
    return {
        "receipts": [
            export_record(receipt, exclude=RECEIPT_INTERNAL)
            for receipt in supporter.receipts.select_related(
                "donation__supporter", "replaces"
            ).order_by("issued_at", "pk")
        ]
    }

"""What receipt mail in the outbox is for (registered in ReceiptsConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ouendan.core.outbox_purposes import outbox_purpose_register

from .models import Receipt


def _receipt(parts: list[str]):
    receipt = Receipt.objects.filter(number=":".join(parts)).first()
    return (receipt.number, reverse("receipts:inspect", args=[receipt.pk])) if receipt else None


def register() -> None:
    outbox_purpose_register("receipt-ready", _("Receipt ready"), link=_receipt)

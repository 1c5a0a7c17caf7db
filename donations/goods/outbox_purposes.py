"""What goods mail in the outbox is for (registered in GoodsConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ouendan.core.outbox_purposes import outbox_purpose_register

from .models import Pledge


def _pledge(parts: list[str]):
    pledge = Pledge.objects.select_related("supporter").filter(pk=int(parts[0])).first()
    return (str(pledge), reverse("pledge:inspect", args=[pledge.pk])) if pledge else None


def register() -> None:
    outbox_purpose_register("inkind:accepted", _("Pledge accepted"), link=_pledge)

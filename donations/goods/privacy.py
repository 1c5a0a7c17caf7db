"""What the goods app holds about a supporter, for "download my data" and for deletion requests
(registered with members/privacy.py in GoodsConfig.ready()).

Pledges and deliveries stay on deletion (they are the history of what was given); the pick-up
details and the free text the pledger wrote are blanked, and the company leaves the corporate
supporters wall.
"""

from typing import Any

from members.models import Supporter
from members.services import export_record

from .models import CorporateWallEntry, Pledge
from .rules import quantity_display


def _goods(line) -> str:
    return f"{line.description}: {quantity_display(line.quantity)} {line.get_unit_display()}"


def supporter_goods_export(supporter: Supporter) -> dict[str, list[dict[str, Any]]]:
    pledges = (
        supporter.pledges.select_related("campaign")
        .prefetch_related("lines", "deliveries__lines")
        .order_by("pk")
    )
    return {
        "goods_pledges": [
            {
                **export_record(pledge, exclude=("supporter", "staff_note", "state_changed_by")),
                "lines": [_goods(line) for line in pledge.lines.all()],
                "deliveries": [
                    f"{delivery.received_on}: "
                    + "; ".join(_goods(line) for line in delivery.lines.all())
                    for delivery in pledge.deliveries.all()
                ],
            }
            for pledge in pledges
        ],
    }


def supporter_goods_anonymise(supporter: Supporter) -> None:
    Pledge.objects.filter(supporter=supporter).update(
        pickup_address="", pickup_window="", message="", contact_as_submitted=""
    )
    CorporateWallEntry.objects.filter(supporter=supporter).delete()

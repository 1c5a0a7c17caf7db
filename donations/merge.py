"""The ledger's part of merging two supporters (members/merge.py, registered in apps.py): the
duplicate's gifts, monthly gifts and checkout requests move to the survivor. Counts are money
records: only staff who see money (donations.view_donation) see them on the confirm screen."""

from members.models import Supporter

from .models import CheckoutRequest, Donation, RecurringDonation


def donations_merge_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    moved = {}
    for model in (Donation, RecurringDonation, CheckoutRequest):
        count = model._base_manager.filter(supporter=duplicate).update(supporter=survivor)
        moved[model._meta.label_lower] = count
    return moved

"""Goods' part of merging two supporters (members/merge.py, registered in apps.py): the
duplicate's pledges (with their deliveries) move to the survivor. The corporate wall has one
entry per company: the duplicate's moves when the survivor has none, and is removed otherwise
(the survivor's logo, link and place are kept)."""

from members.models import Supporter

from .models import CorporateWallEntry, Pledge


def goods_merge_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    pledges = Pledge.objects.filter(supporter=duplicate).update(supporter=survivor)
    wall = 0
    if not CorporateWallEntry.objects.filter(supporter=survivor).exists():
        wall = CorporateWallEntry.objects.filter(supporter=duplicate).update(supporter=survivor)
    else:
        CorporateWallEntry.objects.filter(supporter=duplicate).delete()
    return {
        Pledge._meta.label_lower: pledges,
        CorporateWallEntry._meta.label_lower: wall,
    }

"""The goods vocabulary: categories and units, and the one set of Japanese words they are written
as in spreadsheets (export and import) and on the 感謝状.

Screens show the translated labels; files and certificates are Japanese documents whatever the
staff member's language, so their words are fixed here, once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GoodsCategory(models.TextChoices):
    FOOD = "food", _("Food")
    DAILY_GOODS = "daily_goods", _("Daily goods")
    STATIONERY = "stationery", _("Stationery")
    TOYS = "toys", _("Toys")
    OTHER = "other", _("Other")


class GoodsUnit(models.TextChoices):
    KG = "kg", _("kg")
    ITEMS = "items", _("items")
    BOXES = "boxes", _("boxes")
    LITRES = "litres", _("litres")


# How each category and unit is written in files and on certificates.
CATEGORY_JA = {
    GoodsCategory.FOOD: "食品",
    GoodsCategory.DAILY_GOODS: "日用品",
    GoodsCategory.STATIONERY: "文具",
    GoodsCategory.TOYS: "玩具",
    GoodsCategory.OTHER: "その他",
}
UNIT_JA = {
    GoodsUnit.KG: "kg",
    GoodsUnit.ITEMS: "点",
    GoodsUnit.BOXES: "箱",
    GoodsUnit.LITRES: "L",
}

# Every word an imported file may use: the words above, the stored values, and what staff also
# write (おもちゃ is the pledge form's word for 玩具).
CATEGORY_WORDS = {
    **{word: value for value, word in CATEGORY_JA.items()},
    "おもちゃ": GoodsCategory.TOYS,
    "その他の物品": GoodsCategory.OTHER,
}
UNIT_WORDS = {
    **{word: value for value, word in UNIT_JA.items()},
    "キロ": GoodsUnit.KG,
    "個": GoodsUnit.ITEMS,
    "items": GoodsUnit.ITEMS,
    "ケース": GoodsUnit.BOXES,
    "boxes": GoodsUnit.BOXES,
    "l": GoodsUnit.LITRES,
    "ℓ": GoodsUnit.LITRES,
    "リットル": GoodsUnit.LITRES,
    "litres": GoodsUnit.LITRES,
}

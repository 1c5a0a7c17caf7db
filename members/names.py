"""The one rule for when a name needs its reading in kana (フリガナ).

Staff sort and find supporters by the kana of their names, and letters are addressed by them, so
a name written in Japanese script (kanji, hiragana or katakana) needs its reading. A name in
Latin script ("Nguyen", "Acme K.K.") is read as written: asking a foreign resident for katakana
would only turn them away. The join form, the portal, the pledge form, the donate form, the
staff edit screen and the member import all ask this module.
"""

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

# Hiragana, katakana (full- and half-width), CJK ideographs (with extension A and the
# compatibility block) and the iteration marks 々 〆 ヶ.
_JAPANESE_SCRIPT = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u3005\u3006]"
)

# Each kana field and the name it gives the reading of.
KANA_OF = {
    "family_name_kana": "family_name",
    "given_name_kana": "given_name",
    "organisation_name_kana": "organisation_name",
}

MSG_KANA_REQUIRED = _("Please write the reading of this name in kana (katakana or hiragana).")


def is_japanese_script(value: str | None) -> bool:
    """Whether `value` has any kanji, hiragana or katakana in it."""
    return bool(value) and bool(_JAPANESE_SCRIPT.search(value))


def kana_required(name: str | None) -> bool:
    """Whether a name needs its reading in kana: only one written in Japanese script."""
    return is_japanese_script(name)


def kana_missing(values: Mapping, *, fields=tuple(KANA_OF)) -> list[str]:
    """The kana fields among `fields` left empty although their name is in Japanese script."""
    return [
        kana for kana in fields if kana_required(values.get(KANA_OF[kana])) and not values.get(kana)
    ]

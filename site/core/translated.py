"""Staff-entered text shown on public pages, in the visitor's language.

Staff write each public text in Japanese (the field itself, e.g. `name`) and may add the English
beside it (`name_en`). English pages show the English when there is one, else the Japanese, so a
page is never empty. `donations.Programme` follows the same rule with `name_ja`/`name_en`.
Pages themselves are translated with Wagtail's localisation (simple_translation) instead.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def translated(obj, field: str) -> str:
    """`obj.<field>_en` on a page in another language than Japanese when staff wrote it, else
    `obj.<field>` (the Japanese)."""
    if obj is None:
        return ""
    language = get_language() or "ja"
    if not language.startswith("ja"):
        english = getattr(obj, f"{field}_en", "") or ""
        if english.strip():
            return english
    return getattr(obj, field, "") or ""


# The help text of every English field staff fill in.
ENGLISH_HELP = _("Shown on English pages; when empty, the Japanese is shown.")

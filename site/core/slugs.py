"""Readable ASCII page slugs for Japanese titles.

Wagtail keeps a Japanese title as a Unicode slug, which every browser, LINE and mail client
shows percent-encoded (/campaigns/%E5%A4%8F…/). A page form built on AsciiSlugPageForm replaces
an empty or non-ASCII slug with the title in romaji (pykakasi, Hepburn), or a dated fallback
such as campaign-2026-12 when nothing readable is left, unique among the page's siblings.
"""

import datetime
import functools
import re

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

MAX_LENGTH = 60
SLUG_HELP = _(
    "The last part of the page's address, in ASCII letters. Left empty or in Japanese, it is "
    "made from the title in romaji."
)


@functools.lru_cache(maxsize=1)
def _kakasi():
    import pykakasi  # loads its dictionaries once, and only when a slug is made

    return pykakasi.kakasi()


def romaji(text: str) -> str:
    """`text` with kana and kanji in Hepburn romaji, words separated by spaces."""
    return " ".join(part["hepburn"] or part["orig"] for part in _kakasi().convert(text))


def ascii_slug(title: str, *, prefix: str = "page", today: datetime.date | None = None) -> str:
    """A lowercase ASCII slug for `title`: "夏休みの食支援" → "natsuyasumi-no-shoku-shien"."""
    slug = slugify(romaji(title or ""))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0] or slug[:MAX_LENGTH]
    if not slug:
        today = today or timezone.localdate()
        slug = f"{prefix}-{today:%Y-%m}"
    return slug


def ascii_slug_unique(*, title: str, parent, instance=None, prefix: str = "page") -> str:
    """ascii_slug(), with -2, -3… added while a sibling under `parent` already has it."""
    from wagtail.models import Page  # the page tree, only when a form is saved

    base = ascii_slug(title, prefix=prefix)
    if parent is None:
        return base
    slug, number = base, 1
    while not Page._slug_is_available(slug, parent, instance):
        number += 1
        slug = f"{base}-{number}"
    return slug


class AsciiSlugPageForm(WagtailAdminPageForm):
    """Staff may leave the slug empty, or keep the Japanese one the editor filled in from the
    title: either way the page is saved with a readable ASCII slug."""

    slug_prefix = "page"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = SLUG_HELP

    def clean(self):
        if "slug" in self.fields and "slug" not in self.errors:
            slug = self.cleaned_data.get("slug") or ""
            if not slug or not slug.isascii():
                prefix = getattr(self._meta.model, "slug_prefix", self.slug_prefix)
                self.cleaned_data["slug"] = ascii_slug_unique(
                    title=self.cleaned_data.get("title") or "",
                    parent=self.parent_page,
                    instance=self.instance,
                    prefix=prefix,
                )
        return super().clean()

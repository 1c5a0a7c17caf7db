"""How the public site writes Japanese and dates.

- phrases: ``phrase_breaks("子どもの未来を、地域のみんなで支える")`` → the text with ``<wbr>``
  between its phrases (BudouX), so a heading wraps between words instead of mid-word; the CSS
  keeps Japanese from breaking anywhere else (``word-break: keep-all``). ``phrase_breaks_html``
  does the same inside the headings, labels and legends of a rendered page;
- days: ``public_date`` → "2026年12月1日" / "1 December 2026" (one style per language), and
  ``public_datetime`` → "2026年12月1日 9:02" / "1 December 2026, 09:02", in local time.
"""

import functools
import html
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .display import local_date, local_datetime

# Hiragana, katakana (with ー), CJK ideographs, full-width forms: text BudouX should split.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# The elements whose text gets phrase breaks: headings and form labels (short lines that must
# not wrap mid-word). Their inner HTML is split into tags and text; only the text changes.
_PHRASED = re.compile(
    r"(<(h[1-4]|legend|label|summary|th|figcaption)\b[^>]*>)(.*?)(</\2\s*>)", re.S | re.I
)
_TAG = re.compile(r"(<[^>]*>)")
_FORM_TEXT = re.compile(r"<(select|textarea|script|style)\b", re.I)


@functools.cache
def _parser():
    import budoux  # noqa: PLC0415  (loads its model once, on first use)

    return budoux.load_default_japanese_parser()


def phrase_breaks(text) -> SafeString:
    """Escaped text with <wbr> between Japanese phrases; other text is only escaped."""
    text = "" if text is None else str(text)
    if not _JAPANESE.search(text):
        return escape(text)
    return mark_safe("<wbr>".join(escape(phrase) for phrase in _phrases(text)))  # noqa: S308


@functools.lru_cache(maxsize=4096)
def _phrases(text: str) -> tuple[str, ...]:
    """BudouX's phrases of a string, kept per process: every page repeats the same headings,
    labels and menu entries, and parsing them is most of the cost of phrase_breaks_html."""
    return tuple(_parser().parse(text))


def _phrase_text(fragment: str) -> str:
    if not _JAPANESE.search(fragment):
        return fragment
    return str(phrase_breaks(html.unescape(fragment)))


def _phrase_element(match: re.Match) -> str:
    opening, _name, inner, closing = match.groups()
    if _FORM_TEXT.search(inner):  # option and textarea text is not for line breaking
        return match.group(0)
    parts = _TAG.split(inner)
    # Even indexes are text between tags, odd ones the tags themselves (kept as they are).
    inner = "".join(part if index % 2 else _phrase_text(part) for index, part in enumerate(parts))
    return opening + inner + closing


def phrase_breaks_html(rendered: str) -> str:
    """The rendered page with phrase breaks in its headings, labels, legends and summaries."""
    return _PHRASED.sub(_phrase_element, rendered)


def public_date(value) -> str:
    """A day for visitors: "2026年12月1日" / "1 December 2026"; a moment in local time."""
    return local_date(value, full_month=True)


def public_datetime(value) -> str:
    """A moment for visitors, in local time: "2026年12月1日 9:02" / "1 December 2026, 09:02"."""
    return local_datetime(value, full_month=True)

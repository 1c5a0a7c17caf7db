"""How staff screens show a value: the one place that turns data into what staff read.

- money: ``yen(3000)`` → "¥3,000" (right-aligned in tables: ``admin_display.YenColumn``);
- moments: ``local_datetime`` in the site's time zone (Asia/Tokyo), one style per language:
  Japanese "2026年12月1日 9:02", English "1 Dec 2026, 09:02"; days: ``local_date``;
- yes/no: ``yes_no(True)`` → "はい" / "Yes"; nothing (None, "", []) → "—";
- codes: ``choice_label(choices, "sat-am")`` → the choice's label, never the code.

``display(value)`` picks the right one by the value's type. Everything here returns plain text
(escape it as any text); templates load the same functions with ``{% load ouendan_display %}``.
"""

import calendar
import datetime
import json
from collections.abc import Iterable

from django.db import models
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext

EMPTY = "—"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _english() -> bool:
    return (translation.get_language() or "ja").split("-")[0] == "en"


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return not value
    return False


def yen(value) -> str:
    """Integer yen as "¥1,234" ("-¥500" below zero); "—" for nothing."""
    if is_empty(value):
        return EMPTY
    amount = int(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,}"


def local_date(value, *, full_month: bool = False) -> str:
    """A day: "2026年12月1日" / "1 Dec 2026" ("1 December 2026" with full_month, as visitors
    read it). A moment is first taken to local time."""
    if is_empty(value):
        return EMPTY
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if _english():
        month = calendar.month_name[value.month] if full_month else _MONTHS_EN[value.month - 1]
        return f"{value.day} {month} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def local_datetime(value, *, full_month: bool = False) -> str:
    """A moment in local time: "2026年12月1日 9:02" / "1 Dec 2026, 09:02". Stored times are
    UTC; an aware value is always converted, whatever the template's settings."""
    if is_empty(value):
        return EMPTY
    if not isinstance(value, datetime.datetime):
        return local_date(value, full_month=full_month)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    day = local_date(value, full_month=full_month)
    if _english():
        return f"{day}, {value:%H:%M}"
    return f"{day} {value.hour}:{value:%M}"


def yes_no(value) -> str:
    if value is None:
        return EMPTY
    return gettext("Yes") if value else gettext("No")


def choice_label(choices, value) -> str:
    """The label of a choice (a TextChoices class or (value, label) pairs); an unknown code is
    shown as it is, so nothing disappears silently."""
    if is_empty(value):
        return EMPTY
    pairs = choices.choices if isinstance(choices, type) else choices
    return force_str(dict(pairs).get(value, value))


def choice_labels(choices, values: Iterable) -> str:
    return ", ".join(choice_label(choices, value) for value in values or []) or EMPTY


def display(value) -> str:
    """Any value as staff read it (the right formatter for its type)."""
    if is_empty(value):
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return local_datetime(value)
    if isinstance(value, datetime.date):
        return local_date(value)
    if isinstance(value, models.Manager):
        value = value.all()
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return ", ".join(display(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return json_text(value)
    return force_str(value)


def json_text(value) -> str:
    """Data (a Stripe payload, a JSON field) indented for reading; "—" when empty."""
    if is_empty(value):
        return EMPTY
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def display_for_field(field, value) -> str:
    """A model field's value: yen for money fields (named ``*_yen``), labels for choices."""
    if field is not None and getattr(field, "choices", None) and not is_empty(value):
        return choice_label(field.flatchoices, value)
    if field is not None and field.name.endswith("_yen"):
        return yen(value)
    return display(value)

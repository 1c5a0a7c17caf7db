"""What an outbox message is for, read from its unique key, for staff screens.

The key (``thanks-batch:1:49``, ``renewal-reminder:30:12:2027-04-01``) is the outbox's guard
against sending twice, not something staff should have to read. The app that writes a kind of key
registers here, in its AppConfig.ready(), a label and a function that finds the related object's
admin link (the outbox sits in the bottom layer and knows none of them):

    outbox_purpose_register("receipt-ready", _("Receipt ready"), link=receipt_link)

``link`` gets the key's parts after the prefix and returns (text, url), or None when the object
is gone or has no screen. Unknown keys read "Other e-mail".
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

Link = tuple[str, str | None]


@dataclass(frozen=True)
class OutboxPurpose:
    label: str
    link_text: str = ""
    url: str | None = None


_PURPOSES: dict[str, tuple[str, Callable[[list[str]], Link | None] | None]] = {}


def outbox_purpose_register(
    prefix: str, label, *, link: Callable[[list[str]], Link | None] | None = None
) -> None:
    """``prefix``: the key's first part (before the first ':'), or a longer ``a:b`` prefix,
    which wins over a shorter one."""
    _PURPOSES[prefix] = (label, link)


def outbox_purpose(key: str) -> OutboxPurpose:
    parts = (key or "").split(":")
    for length in range(len(parts) - 1, 0, -1):
        prefix = ":".join(parts[:length])
        if prefix in _PURPOSES:
            label, link = _PURPOSES[prefix]
            found = None
            if link is not None:
                try:
                    found = link(parts[length:])
                except (ValueError, LookupError, ValidationError):  # a malformed key: no link
                    found = None
            if found is None:
                return OutboxPurpose(label=str(label))
            return OutboxPurpose(label=str(label), link_text=found[0], url=found[1])
    return OutboxPurpose(label=str(_("Other e-mail")))

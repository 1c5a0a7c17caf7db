"""What other apps add to the members screens, registered from their AppConfig.ready().

members is the bottom domain layer: it never imports donations, campaigns or home. An app above
that has something to show on a members page registers it here instead (as members/privacy.py
does for "download my data" and anonymisation):

- supporter detail figures: extra template context on the staff supporter detail page, for users
  with the given permission (donations: a donor's gift totals and a link to the ledger);
- payments: whether online payments can be taken now (donations: Stripe is configured), which
  decides whether the portal and the sign-up confirmation offer to pay a membership fee;
- fee payments: how a paid membership fee is recorded (donations: a ledger row that also
  extends the membership). members code that records a fee calls `fee_payment_record`, never
  `membership_record_payment` itself, so no fee is paid outside the money ledger.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Supporter


@dataclass(frozen=True)
class SupporterDetailFigures:
    permission: str  # e.g. "donations.view_donation": who may see these figures
    context: Callable[[Supporter], dict[str, Any]]  # template context for the detail page


_SUPPORTER_DETAIL: list[SupporterDetailFigures] = []
_PAYMENTS_ENABLED: list[Callable[[], bool]] = []
_FEE_RECORDERS: list[Callable[..., Any]] = []


def supporter_detail_register(
    *, permission: str, context: Callable[[Supporter], dict[str, Any]]
) -> None:
    """Add figures to the supporter detail page; `context(supporter)` is called only for users
    who have `permission`. Registering the same pair again changes nothing."""
    entry = SupporterDetailFigures(permission=permission, context=context)
    if entry not in _SUPPORTER_DETAIL:
        _SUPPORTER_DETAIL.append(entry)


def supporter_detail_context(*, supporter: Supporter, user) -> dict[str, Any]:
    """The registered figures this user may see, as template context."""
    context: dict[str, Any] = {}
    for entry in _SUPPORTER_DETAIL:
        if user.has_perm(entry.permission):
            context.update(entry.context(supporter))
    return context


def supporter_detail_sees_money(*, user) -> bool:
    """Whether the user may see some registered figures (and with them gifts and money mail)."""
    return any(user.has_perm(entry.permission) for entry in _SUPPORTER_DETAIL)


def payments_register(*, enabled: Callable[[], bool]) -> None:
    """`enabled()` says whether online payments can be taken right now."""
    if enabled not in _PAYMENTS_ENABLED:
        _PAYMENTS_ENABLED.append(enabled)


def payments_enabled() -> bool:
    """True when a registered payment provider is ready; False when none is registered."""
    return any(enabled() for enabled in _PAYMENTS_ENABLED)


def fee_payment_register(*, record: Callable[..., Any]) -> None:
    """`record(membership=, paid_at=, method=, note=)` writes a paid fee to the ledger."""
    if record not in _FEE_RECORDERS:
        _FEE_RECORDERS.append(record)


def fee_payment_record(*, membership, paid_at, method: str = "bank_transfer", note: str = ""):
    """Record a paid membership fee through the registered money ledger (and so extend the
    membership). Raises RuntimeError when no ledger is installed: a fee recorded only on the
    membership would be missing from the accounts."""
    if not _FEE_RECORDERS:
        raise RuntimeError("No money ledger is registered to record membership fees")
    return _FEE_RECORDERS[0](membership=membership, paid_at=paid_at, method=method, note=note)

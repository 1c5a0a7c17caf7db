"""Staff changes to supporters: creating and editing them in the admin.

The same rules as the public journeys: contact data is normalised (members/normalise.py), one
supporter per e-mail address, consents are never changed here (only their owner changes them,
in the portal), and deletion goes through the deletion request review (members/privacy.py),
not through the status field. Re-exported by members/services.py; keyword-only, as all services.
"""

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import normalise
from .fields import SUPPORTER_KANA_FIELDS, SUPPORTER_STAFF_FIELDS
from .models import Supporter, User
from .selectors import supporter_find_duplicate

logger = logging.getLogger(__name__)

# Statuses staff may set; the others belong to the deletion flow.
STAFF_STATUSES = (Supporter.Status.PENDING, Supporter.Status.ACTIVE)

MSG_DUPLICATE_EMAIL = _("Another supporter already has this e-mail address.")
MSG_STATUS = _("Deletion goes through the review of the supporter's deletion request.")
MSG_ANONYMISED = _("This supporter's personal data was deleted: the record cannot be changed.")
MSG_MERGED = _("This record was merged into another one: change that one instead.")

_NORMALISERS = {
    "email": normalise.normalise_email,
    "phone": normalise.normalise_phone,
    "postal_code": normalise.normalise_postal_code,
    **dict.fromkeys(SUPPORTER_KANA_FIELDS, normalise.normalise_kana),
}


def _staff_values(values: dict[str, Any], *, current: Supporter | None) -> dict[str, Any]:
    """`values` normalised and checked; ValidationError (by field) when a rule is broken."""
    unknown = set(values) - set(SUPPORTER_STAFF_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by staff: {', '.join(sorted(unknown))}")
    cleaned = dict(values)
    errors: dict[str, list] = {}
    for name, normaliser in _NORMALISERS.items():
        if cleaned.get(name):
            try:
                cleaned[name] = normaliser(cleaned[name])
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    email = cleaned.get("email")
    if email and supporter_find_duplicate(
        email=email, exclude_pk=current.pk if current is not None else None
    ):
        errors.setdefault("email", []).append(MSG_DUPLICATE_EMAIL)
    status = cleaned.get("status")
    unchanged = current is not None and status == current.status
    if status and status not in STAFF_STATUSES and not unchanged:
        errors.setdefault("status", []).append(MSG_STATUS)
    if errors:
        raise ValidationError(errors)
    return cleaned


def supporter_create(*, values: dict[str, Any], by: User | None = None) -> Supporter:
    """A supporter entered by staff (source "staff"). `values` may hold SUPPORTER_STAFF_FIELDS."""
    cleaned = _staff_values(values, current=None)
    with transaction.atomic():
        supporter = Supporter.objects.create(**cleaned, source=Supporter.Source.STAFF)
    logger.info("Supporter %s created by user %s", supporter.pk, getattr(by, "pk", None))
    return supporter


def supporter_update(
    *, supporter: Supporter, changes: dict[str, Any], by: User | None = None
) -> Supporter:
    """Save staff edits to SUPPORTER_STAFF_FIELDS. An anonymised supporter cannot be changed.
    The log names the fields changed, never their values (personal data)."""
    if supporter.status == Supporter.Status.ANONYMISED:
        raise ValidationError(MSG_ANONYMISED)
    if supporter.status == Supporter.Status.MERGED or supporter.merged_into_id is not None:
        raise ValidationError(MSG_MERGED)
    cleaned = _staff_values(changes, current=supporter)
    changed = [name for name, value in cleaned.items() if getattr(supporter, name) != value]
    if changed:
        for name in changed:
            setattr(supporter, name, cleaned[name])
        supporter.save(update_fields=[*changed, "updated_at"])
    logger.info(
        "Supporter %s changed by user %s: %s",
        supporter.pk,
        getattr(by, "pk", None),
        ", ".join(changed) or "nothing",
    )
    return supporter

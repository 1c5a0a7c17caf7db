"""Deleting a supporter's personal data on request (個人情報の削除請求), after staff review.

A deleted supporter is anonymised, not removed: memberships and consent history are financial and
legal records Japanese law expects us to keep (会計帳簿・領収書の保存義務), so the rows stay and
only the personal data on and around them is blanked.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from ouendan.core.mail import outgoing_emails_erase

from .fields import SUPPORTER_BLANKED_FIELDS
from .models import (
    AccessToken,
    DeletionRequest,
    Membership,
    Supporter,
    User,
    VolunteerProfile,
)

ANONYMISED_NAME = "削除済み"

# Other apps hold data about a supporter too (donations: gifts, pledges, receipts; campaigns:
# thank-yous). They register here from their AppConfig.ready(), so "download my data" and
# anonymisation cover them without this app importing theirs.
_EXPORTERS: list[Callable[[Supporter], dict[str, list[dict[str, Any]]]]] = []
_ANONYMISERS: list[Callable[[Supporter], None]] = []


def privacy_register(
    *,
    export: Callable[[Supporter], dict[str, list[dict[str, Any]]]] | None = None,
    anonymise: Callable[[Supporter], None] | None = None,
) -> None:
    """export(supporter) returns {section: [records]}; anonymise(supporter) blanks that app's
    personal data inside supporter_anonymise's transaction."""
    if export is not None and export not in _EXPORTERS:
        _EXPORTERS.append(export)
    if anonymise is not None and anonymise not in _ANONYMISERS:
        _ANONYMISERS.append(anonymise)


def privacy_sections_export(*, supporter: Supporter) -> dict[str, list[dict[str, Any]]]:
    """The registered apps' sections of "download my data"."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for export in _EXPORTERS:
        sections.update(export(supporter))
    return sections


def supporter_anonymise(
    *,
    supporter: Supporter,
    reviewed_by: User | None,
    deletion_request: DeletionRequest | None = None,
) -> Supporter:
    """Blank a supporter's personal data, keeping memberships and consent history.

    Also deletes the volunteer profile (with its emergency contacts) and every e-mail link,
    clears the address and body of every e-mail sent to the supporter (subject and dates stay),
    stops memberships from renewing and completes the deletion request. Idempotent: running it
    again changes nothing but completing a request that is still pending.
    """
    now = timezone.now()
    with transaction.atomic():
        supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
        if supporter.status != Supporter.Status.ANONYMISED:
            # Wagtail's edit log keeps str(object) of every saved row; scrub it first, while the
            # names to look for are still known.
            supporter_log_entries_scrub(supporter=supporter)
            for field in SUPPORTER_BLANKED_FIELDS:
                setattr(supporter, field, "")
            if supporter.kind == Supporter.Kind.ORGANISATION:
                supporter.organisation_name = ANONYMISED_NAME
                supporter.family_name = ""
            else:
                supporter.family_name = ANONYMISED_NAME
                supporter.organisation_name = ""
            supporter.birth_year = None
            supporter.is_volunteer = False
            supporter.status = Supporter.Status.ANONYMISED
            supporter.anonymised_at = now
            supporter.save()
            _merged_stubs_anonymise(supporter, now)
        VolunteerProfile.objects.filter(supporter=supporter).delete()
        AccessToken.objects.filter(supporter=supporter).delete()
        outgoing_emails_erase(supporter_id=supporter.pk)
        # The rows stay (accounting records); only renewals and reminders stop.
        Membership.objects.filter(
            supporter=supporter,
            status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING],
        ).update(status=Membership.Status.CANCELLED, auto_renew=False, cancelled_at=now)
        for anonymise in _ANONYMISERS:
            anonymise(supporter)
        requests = DeletionRequest.objects.filter(
            supporter=supporter, status=DeletionRequest.Status.PENDING
        )
        if deletion_request is not None:
            requests = requests.filter(pk=deletion_request.pk)
        requests.update(
            status=DeletionRequest.Status.COMPLETED, reviewed_by=reviewed_by, reviewed_at=now
        )
    return supporter


def _merged_stubs_anonymise(supporter: Supporter, now) -> None:
    """Records merged into this one (members/merge.py) kept only their name: blank it too."""
    for stub in Supporter.objects.filter(merged_into=supporter):
        supporter_log_entries_scrub(supporter=stub)
        for field in SUPPORTER_BLANKED_FIELDS:
            setattr(stub, field, "")
        person = stub.kind == Supporter.Kind.PERSON
        stub.family_name = ANONYMISED_NAME if person else ""
        stub.organisation_name = "" if person else ANONYMISED_NAME
        stub.anonymised_at = now
        stub.save()


def _personal_strings(supporter: Supporter) -> list[str]:
    """The texts that identify the supporter, longest first (so a full name goes before its
    parts). Empty values are never searched for."""
    person = [supporter.family_name, supporter.given_name]
    kana = [supporter.family_name_kana, supporter.given_name_kana]
    candidates = {
        " ".join(part for part in person if part),
        "".join(person),
        " ".join(part for part in kana if part),
        "".join(kana),
        *person,
        *kana,
        supporter.organisation_name,
        supporter.organisation_name_kana,
        supporter.contact_person,
        supporter.email,
        supporter.phone,
        str(supporter),
    }
    candidates.discard(ANONYMISED_NAME)
    return sorted((text for text in candidates if text.strip()), key=len, reverse=True)


def _related_log_keys(supporter: Supporter) -> list[tuple[int, list[str]]]:
    """(content type, object ids) of the supporter and every row that points at them, in any
    app (gifts, memberships, pledges...): the entries whose labels may carry their name."""
    keys = [(ContentType.objects.get_for_model(Supporter).pk, [str(supporter.pk)])]
    for relation in Supporter._meta.related_objects:
        if relation.many_to_many:
            continue
        model = relation.related_model
        ids = model._base_manager.filter(**{relation.field.name: supporter}).values_list(
            "pk", flat=True
        )
        ids = [str(pk) for pk in ids]
        if ids:
            keys.append((ContentType.objects.get_for_model(model).pk, ids))
    return keys


def _scrub(value: Any, strings: list[str]) -> Any:
    """`value` (a label, or a log entry's JSON data) with every personal string replaced."""
    if isinstance(value, str):
        for personal in strings:
            value = value.replace(personal, ANONYMISED_NAME)
        return value
    if isinstance(value, dict):
        return {_scrub(key, strings): _scrub(item, strings) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, strings) for item in value]
    return value


def supporter_log_entries_scrub(*, supporter: Supporter) -> int:
    """Replace the supporter's names, e-mail and phone in Wagtail's edit log (ModelLogEntry: the
    site history report and its export) with ANONYMISED_NAME, in the entries of the supporter and
    of every row related to them. Returns how many entries changed."""
    strings = _personal_strings(supporter)
    if not strings:
        return 0
    changed = 0
    for content_type_id, ids in _related_log_keys(supporter):
        entries = ModelLogEntry.objects.filter(content_type_id=content_type_id, object_id__in=ids)
        for entry in entries.iterator():
            label, data = _scrub(entry.label, strings), _scrub(entry.data, strings)
            if label != entry.label or data != entry.data:
                entry.label, entry.data = label, data
                entry.save(update_fields=["label", "data"])
                changed += 1
    return changed


def deletion_request_reject(
    *, deletion_request: DeletionRequest, reviewed_by: User | None, note: str = ""
) -> DeletionRequest:
    """Decline a deletion request (e.g. it was not the supporter's own), with a note.

    The supporter goes back to active (or pending when their e-mail was never confirmed).
    Rejecting a request that was already reviewed changes nothing.
    """
    with transaction.atomic():
        deletion_request = DeletionRequest.objects.select_for_update().get(pk=deletion_request.pk)
        if deletion_request.status != DeletionRequest.Status.PENDING:
            return deletion_request
        deletion_request.status = DeletionRequest.Status.REJECTED
        deletion_request.reviewed_by = reviewed_by
        deletion_request.reviewed_at = timezone.now()
        deletion_request.review_note = note
        deletion_request.save()
        supporter = deletion_request.supporter
        if supporter.status == Supporter.Status.DELETION_REQUESTED:
            supporter.status = (
                Supporter.Status.ACTIVE if supporter.confirmed_at else Supporter.Status.PENDING
            )
            supporter.save(update_fields=["status", "updated_at"])
        return deletion_request

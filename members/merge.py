"""Merging two records of one person: `supporter_merge` moves everything that belongs to the
duplicate onto the survivor, in one transaction, and keeps the duplicate as a stub.

members is the bottom domain layer and cannot import donations, goods, receipts or campaigns.
Each app that holds rows pointing at a supporter registers a mover from its AppConfig.ready():
`merge_register(move=..., permission=...)`; `move(survivor, duplicate)` repoints that app's rows
and returns how many it moved per model (`{"donations.donation": 3}`), inside the merge's
transaction. A mover raises ValidationError to refuse the whole merge (nothing is changed).
`permission` says who may see that mover's counts (money: Finance only).

What the merge decides (tests/members/test_merge.py):
- refused: a record into itself, into or from a merged stub, between a person and an
  organisation, anonymised records and records whose deletion was requested (a pending
  deletion request belongs to its review, members/privacy.py);
- members' own rows move: memberships (all of them; two current memberships both stay and the
  confirm screen says so), consent records (append-only history: the newest record of each kind
  across both is the one in force), e-mail links, reviewed deletion requests, e-mails in the
  outbox and earlier stubs merged into the duplicate. The volunteer profile moves when the
  survivor has none; otherwise the survivor's gains the duplicate's skills, areas, interests
  and time slots and fills its empty fields, and the duplicate's is deleted;
- the survivor's empty fields (names, contact details, birth year, organisation details) are
  filled from the duplicate. The duplicate's e-mail address is taken when the survivor has
  none, and so is its confirmation; otherwise it is written into the survivor's staff notes.
  The duplicate's notes are added to the survivor's;
- the duplicate keeps only its name: status "merged", `merged_into` the survivor, contact
  details emptied (its e-mail address must be free: one supporter per address). It is no longer
  listed, chosen, exported or mailed (members/mail.py `supporter_mailable`);
- both records' history (Wagtail's log) gets an "ouendan.merge" entry with the counts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ouendan.core.models import OutgoingEmail

from .fields import SUPPORTER_CONTACT_FIELDS, SUPPORTER_ORGANISATION_FIELDS, SUPPORTER_PERSON_FIELDS
from .models import (
    AccessToken,
    ConsentRecord,
    DeletionRequest,
    Membership,
    Supporter,
    User,
    VolunteerProfile,
)
from .models.consents import supporters_refresh_newsletter_consent
from .models.memberships import supporters_refresh_current_membership

MERGE_LOG_ACTION = "ouendan.merge"

MSG_SAME = _("A record cannot be merged into itself.")
MSG_MERGED = _("This record was already merged into another one.")
MSG_KIND = _("A person and an organisation cannot be merged.")
MSG_GONE = _("Records whose deletion was requested or done cannot be merged.")

# Filled on the survivor when empty there (email is handled on its own).
FILLED_FIELDS = (
    *SUPPORTER_PERSON_FIELDS,
    *SUPPORTER_ORGANISATION_FIELDS,
    *SUPPORTER_CONTACT_FIELDS,
)
# Emptied on the stub: everything but its name.
STUB_CLEARED_FIELDS = (
    "email",
    *SUPPORTER_CONTACT_FIELDS,
    "department",
    "contact_person",
    "invoice_address",
    "notes",
)


@dataclass(frozen=True)
class MergeMover:
    move: Callable[[Supporter, Supporter], dict[str, int]]
    permission: str | None = None  # who may see the counts; None: whoever may merge


merge_movers: list[MergeMover] = []


def merge_register(
    *, move: Callable[[Supporter, Supporter], dict[str, int]], permission: str | None = None
) -> None:
    """Add an app's mover; registering the same pair again changes nothing."""
    mover = MergeMover(move=move, permission=permission)
    if mover not in merge_movers:
        merge_movers.append(mover)


@dataclass(frozen=True)
class MovedCount:
    label: str  # the model's label_lower, e.g. "donations.donation"
    count: int
    permission: str | None


@dataclass
class MergeResult:
    survivor: Supporter
    duplicate: Supporter
    moved: list[MovedCount] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)  # survivor fields taken from the duplicate

    def counts(self) -> dict[str, int]:
        return {item.label: item.count for item in self.moved}


def supporter_merge_check(*, survivor: Supporter, duplicate: Supporter) -> None:
    """ValidationError when these two records may not be merged (see the module's docstring)."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(MSG_SAME)
    gone = (Supporter.Status.ANONYMISED, Supporter.Status.DELETION_REQUESTED)
    for record in (survivor, duplicate):
        if record.merged_into_id is not None or record.status == Supporter.Status.MERGED:
            raise ValidationError(MSG_MERGED)
        if record.status in gone or record.anonymised_at is not None:
            raise ValidationError(MSG_GONE)
    if survivor.kind != duplicate.kind:
        raise ValidationError(MSG_KIND)
    pending = DeletionRequest.objects.filter(
        supporter__in=[survivor, duplicate], status=DeletionRequest.Status.PENDING
    )
    if pending.exists():
        raise ValidationError(MSG_GONE)


class _DryRun(Exception):
    def __init__(self, result: MergeResult):
        self.result = result


def supporter_merge(
    *, survivor: Supporter, duplicate: Supporter, by_user: User | None, dry_run: bool = False
) -> MergeResult:
    """Move everything of `duplicate` onto `survivor` in one transaction and keep `duplicate` as
    a merged stub. ValidationError (nothing changed) when the merge is refused. `dry_run`: do it
    all and roll it back, to show staff exactly what would move (the confirm screen)."""
    try:
        with transaction.atomic():
            first, second = sorted([survivor.pk, duplicate.pk])  # one lock order for everyone
            locked = Supporter.objects.select_for_update().in_bulk([first, second])
            survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
            supporter_merge_check(survivor=survivor, duplicate=duplicate)
            result = MergeResult(survivor=survivor, duplicate=duplicate)
            for mover in merge_movers:
                for label, count in mover.move(survivor, duplicate).items():
                    result.moved.append(MovedCount(label, count, mover.permission))
            result.filled = _fields_fill(survivor, duplicate)
            data = {
                "survivor": survivor.pk,
                "duplicate": duplicate.pk,
                "moved": result.counts(),
                "filled": result.filled,
            }
            log(instance=survivor, action=MERGE_LOG_ACTION, user=by_user, data=data)
            log(instance=duplicate, action=MERGE_LOG_ACTION, user=by_user, data=data)
            if dry_run:
                raise _DryRun(result)
    except _DryRun as rolled_back:
        return rolled_back.result
    return result


def _fields_fill(survivor: Supporter, duplicate: Supporter) -> list[str]:
    """Fill the survivor's empty fields from the duplicate, then make the duplicate a stub.
    Returns the names of the fields filled."""
    filled = [
        name
        for name in FILLED_FIELDS
        if getattr(survivor, name) in ("", None) and getattr(duplicate, name) not in ("", None)
    ]
    for name in filled:
        setattr(survivor, name, getattr(duplicate, name))
    old_email = duplicate.email
    notes = [survivor.notes] if survivor.notes else []
    stamp = gettext("Merged from record #%(pk)s on %(date)s.") % {
        "pk": duplicate.pk,
        "date": timezone.localdate().isoformat(),
    }
    if old_email and old_email.lower() != survivor.email.lower() and survivor.email:
        stamp += " " + gettext("Its e-mail address: %(email)s") % {"email": old_email}
    notes.append(stamp)
    if duplicate.notes:
        notes.append(duplicate.notes)
    survivor.notes = "\n".join(notes)
    survivor.is_volunteer = survivor.is_volunteer or duplicate.is_volunteer
    # The stub first: its e-mail address must be free before the survivor may take it.
    for name in STUB_CLEARED_FIELDS:
        setattr(duplicate, name, "")
    duplicate.birth_year = None
    duplicate.is_volunteer = False
    duplicate.status = Supporter.Status.MERGED
    duplicate.merged_into = survivor
    duplicate.merged_at = timezone.now()
    duplicate.save()
    if old_email and not survivor.email:
        survivor.email = old_email
        filled.append("email")
        if survivor.confirmed_at is None and duplicate.confirmed_at is not None:
            # The address was confirmed on the duplicate: the survivor now holds it.
            survivor.confirmed_at = duplicate.confirmed_at
            if survivor.status == Supporter.Status.PENDING:
                survivor.status = Supporter.Status.ACTIVE
    survivor.save()
    return filled


# --- members' own rows -------------------------------------------------------------------------


def _volunteer_profile_move(survivor: Supporter, duplicate: Supporter) -> int:
    theirs = VolunteerProfile.objects.filter(supporter=duplicate).first()
    if theirs is None:
        return 0
    ours = VolunteerProfile.objects.filter(supporter=survivor).first()
    if ours is None:
        theirs.supporter = survivor
        theirs.save(update_fields=["supporter", "updated_at"])
        return 1
    ours.skills.add(*theirs.skills.all())
    ours.areas.add(*theirs.areas.all())
    ours.interests.add(*theirs.interests.all())
    ours.availability = sorted({*ours.availability, *theirs.availability})
    for name in ("emergency_contact_name", "emergency_contact_phone", "notes"):
        if not getattr(ours, name):
            setattr(ours, name, getattr(theirs, name))
    ours.save()
    theirs.delete()
    return 1


def members_rows_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    """The members app's (and the outbox's) rows of the duplicate, repointed."""
    moved = {}
    for model in (Membership, ConsentRecord, AccessToken, DeletionRequest, OutgoingEmail):
        count = model._base_manager.filter(supporter=duplicate).update(supporter=survivor)
        moved[model._meta.label_lower] = count
    supporters_refresh_current_membership(supporter_ids=[survivor.pk, duplicate.pk])
    supporters_refresh_newsletter_consent(supporter_ids=[survivor.pk, duplicate.pk])
    moved[VolunteerProfile._meta.label_lower] = _volunteer_profile_move(survivor, duplicate)
    moved["members.supporter"] = Supporter.objects.filter(merged_into=duplicate).update(
        merged_into=survivor
    )
    return moved

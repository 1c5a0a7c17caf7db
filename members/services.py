"""Business rules for supporters, consents, e-mail links and memberships.

Views, the admin, imports and tasks call these; none of them change member data any other way.
Every function is keyword-only and named <entity>_<action>. The rules of one area live in their
own module (members/access_links.py, members/memberships.py, members/data_export.py) and are
re-exported here, so callers import every service from `members.services`; reads are in
members/selectors.py.
"""

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .access_links import (  # noqa: F401 - re-exported: callers import services from here
    BILLING_LINK_VALID,
    CONFIRM_LINK_VALID,
    LINK_VALIDITY,
    LOGIN_LINK_VALID,
    access_token_issue,
    access_token_redeem,
)
from .data_export import (  # noqa: F401 - re-exported
    export_record,
    export_value,
    supporter_export_csv,
    supporter_export_data,
)
from .fields import PORTAL_PROFILE_FIELDS
from .mail import access_link_send
from .memberships import (  # noqa: F401 - re-exported
    membership_cancel,
    membership_create,
    membership_lapse_overdue,
    membership_record_payment,
    membership_start,
    membership_update,
)
from .models import (
    AccessToken,
    Area,
    ConsentRecord,
    DeletionRequest,
    Interest,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)

# Module globals, not only re-exports: supporter_find_or_create looks the duplicate up through
# this name, which the donor race test (tests/donations/test_donor.py) replaces.
from .selectors import (  # noqa: F401 - re-exported
    access_token_is_valid,
    consents_current,
    supporter_find_duplicate,
)
from .supporters import supporter_create, supporter_update  # noqa: F401 - re-exported

# --- Duplicates --------------------------------------------------------------------------------


def supporter_find_or_create(*, email: str, defaults: dict[str, Any]) -> tuple[Supporter, bool]:
    """The supporter with this (normalised) e-mail, or a new one made from `defaults`.
    Returns (supporter, created). An existing supporter is returned untouched.

    Race-safe: when two callers create the same new address at once, the loser's insert fails
    on the unique lower(email) index inside a savepoint and it re-reads the winner's row, so the
    surrounding transaction carries on and nothing is logged as an error.
    """
    if not email:
        raise ValueError("supporter_find_or_create needs an e-mail address")
    found = supporter_find_duplicate(email=email)
    if found is not None:
        return found, False
    # Wagtail indexes a supporter's link to the one it was merged into, which a new supporter
    # never has: its reference index entry would stay empty, so the update that would run (and
    # cost four queries) on every donor's first gift is skipped.
    from wagtail.signal_handlers import disable_reference_index_auto_update  # needs the models

    linked = any(name.startswith("merged_into") for name in defaults)
    index_update = contextlib.nullcontext() if linked else disable_reference_index_auto_update()
    try:
        with transaction.atomic(), index_update:
            return Supporter.objects.create(**{**defaults, "email": email}), True
    except IntegrityError:
        found = supporter_find_duplicate(email=email)
        if found is None:
            raise  # another constraint, not the e-mail race
        return found, False


# --- Consents ----------------------------------------------------------------------------------


def consent_record(
    *,
    supporter: Supporter,
    kind: str,
    granted: bool,
    source: str,
    policy_version: str = "",
) -> ConsentRecord | None:
    """Add a consent record when it changes what is in force; history is never rewritten."""
    current = consents_current(supporter=supporter).get(kind)
    if (
        current is not None
        and current.granted == granted
        and current.policy_version == policy_version
    ):
        return None
    return ConsentRecord.objects.create(
        supporter=supporter,
        kind=kind,
        granted=granted,
        source=source,
        policy_version=policy_version,
    )


# --- Sign-up -----------------------------------------------------------------------------------


@dataclass
class RegistrationResult:
    supporter: Supporter
    created: bool


def supporter_register(
    *,
    supporter: Supporter,
    consents: dict[str, bool],
    policy_version: str,
    confirm_url: str,
    login_url: str,
) -> RegistrationResult:
    """Sign up from the public form (double opt-in).

    `supporter` is an unsaved, validated instance. A new e-mail address gets a pending supporter
    and a confirmation link valid for 48 hours. A known address gets no second account: its owner
    is sent a login link instead, and the caller shows the same page either way, so the form
    never reveals who is registered. `confirm_url`/`login_url` contain "{token}".
    """
    with transaction.atomic():
        existing = supporter_find_duplicate(email=supporter.email)
        if existing is not None:
            access_link_send(
                supporter=existing,
                purpose=AccessToken.Purpose.LOGIN,
                template="already_registered",
                url=login_url,
            )
            return RegistrationResult(supporter=existing, created=False)

        supporter.status = Supporter.Status.PENDING
        supporter.source = Supporter.Source.WEB
        supporter.save()
        for kind, granted in {ConsentRecord.Kind.PRIVACY_POLICY: True, **consents}.items():
            consent_record(
                supporter=supporter,
                kind=kind,
                granted=granted,
                source=ConsentRecord.Source.JOIN_FORM,
                policy_version=policy_version if kind == ConsentRecord.Kind.PRIVACY_POLICY else "",
            )
        access_link_send(
            supporter=supporter,
            purpose=AccessToken.Purpose.CONFIRM_SIGNUP,
            template="confirm_signup",
            url=confirm_url,
        )
        return RegistrationResult(supporter=supporter, created=True)


def supporter_confirm(*, secret: str) -> Supporter | None:
    """Redeem a sign-up link: the supporter becomes active. None for a bad or expired link."""
    with transaction.atomic():
        supporter = access_token_redeem(secret=secret, purpose=AccessToken.Purpose.CONFIRM_SIGNUP)
        if supporter is None:
            return None
        if supporter.status == Supporter.Status.PENDING:
            supporter.status = Supporter.Status.ACTIVE
            supporter.confirmed_at = timezone.now()
            supporter.save(update_fields=["status", "confirmed_at", "updated_at"])
        return supporter


def supporter_send_login_link(*, email: str, login_url: str) -> bool:
    """E-mail a portal login link if the address belongs to a supporter. Returns whether one was
    sent; callers must not show the result to the visitor."""
    supporter = supporter_find_duplicate(email=email)
    if supporter is None:
        return False
    # Whether they may be mailed at all is members/mail.py's one rule (deletion requested...).
    return access_link_send(
        supporter=supporter,
        purpose=AccessToken.Purpose.LOGIN,
        template="login_link",
        url=login_url,
    )


# --- Public journeys: join form and member portal ----------------------------------------------


def volunteer_profile_update(
    *,
    supporter: Supporter,
    availability: list[str],
    skills: Iterable[Skill] = (),
    areas: Iterable[Area] = (),
    interests: Iterable[Interest] = (),
    emergency_contact_name: str = "",
    emergency_contact_phone: str = "",
) -> VolunteerProfile:
    """Create or replace a supporter's volunteer profile; the supporter becomes a volunteer."""
    valid_slots = {value for value, _label in VolunteerProfile.slot_choices()}
    with transaction.atomic():
        profile, _created = VolunteerProfile.objects.get_or_create(supporter=supporter)
        profile.availability = [slot for slot in availability if slot in valid_slots]
        profile.emergency_contact_name = emergency_contact_name
        profile.emergency_contact_phone = emergency_contact_phone
        profile.save()
        profile.skills.set(skills)
        profile.areas.set(areas)
        profile.interests.set(interests)
        if not supporter.is_volunteer:
            supporter.is_volunteer = True
            supporter.save(update_fields=["is_volunteer", "updated_at"])
        return profile


def supporter_join(
    *,
    supporter: Supporter,
    consents: dict[str, bool],
    policy_version: str,
    confirm_url: str,
    login_url: str,
    volunteer: dict | None = None,
    plan: MembershipPlan | None = None,
) -> RegistrationResult:
    """The join form: `supporter_register`, then the volunteer profile and the membership chosen.

    A known e-mail address changes nothing (see `supporter_register`). Two sign-ups racing with
    the same address hit the unique e-mail constraint; the loser is treated as a duplicate.
    """

    def register() -> RegistrationResult:
        with transaction.atomic():
            result = supporter_register(
                supporter=supporter,
                consents=consents,
                policy_version=policy_version,
                confirm_url=confirm_url,
                login_url=login_url,
            )
            if result.created:
                if volunteer is not None:
                    volunteer_profile_update(supporter=result.supporter, **volunteer)
                if plan is not None:
                    membership_start(supporter=result.supporter, plan=plan)
            return result

    try:
        return register()
    except IntegrityError:
        supporter.pk = None
        return register()


def supporter_resend_confirmation(*, email: str, confirm_url: str, login_url: str) -> bool:
    """A new link for someone whose confirmation link expired: a confirmation link while the
    sign-up is pending, a login link once it is active. Callers show the same page either way."""
    supporter = supporter_find_duplicate(email=email)
    if supporter is None or supporter.status not in (
        Supporter.Status.PENDING,
        Supporter.Status.ACTIVE,
    ):
        return False
    if supporter.status == Supporter.Status.ACTIVE:
        return supporter_send_login_link(email=email, login_url=login_url)
    return access_link_send(
        supporter=supporter,
        purpose=AccessToken.Purpose.CONFIRM_SIGNUP,
        template="confirm_signup",
        url=confirm_url,
    )


def supporter_login(*, secret: str) -> Supporter | None:
    """Redeem a portal login link. The link proves the address, so a pending sign-up becomes
    active. None for a bad, used or expired link, or an account being deleted."""
    with transaction.atomic():
        supporter = access_token_redeem(secret=secret, purpose=AccessToken.Purpose.LOGIN)
        if supporter is None or supporter.status not in (
            Supporter.Status.PENDING,
            Supporter.Status.ACTIVE,
        ):
            return None
        if supporter.status == Supporter.Status.PENDING:
            supporter.status = Supporter.Status.ACTIVE
            supporter.confirmed_at = timezone.now()
            supporter.save(update_fields=["status", "confirmed_at", "updated_at"])
        return supporter


def supporter_update_profile(*, supporter: Supporter, changes: dict[str, Any]) -> Supporter:
    """Save the supporter's own edits from the portal. Only `PORTAL_PROFILE_FIELDS` may change
    (not the e-mail address, the kind or anything staff keep); values must be normalised."""
    unknown = set(changes) - PORTAL_PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not editable in the portal: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(supporter, field, value)
    supporter.save(update_fields=[*changes, "updated_at"])
    return supporter


def consents_update(
    *, supporter: Supporter, granted: dict[str, bool], source: str
) -> list[ConsentRecord]:
    """Record each consent that changed; unchanged ones add nothing. Returns the new records."""
    records = []
    with transaction.atomic():
        for kind, value in granted.items():
            record = consent_record(supporter=supporter, kind=kind, granted=value, source=source)
            if record is not None:
                records.append(record)
    return records


def deletion_request_create(*, supporter: Supporter, reason: str = "") -> DeletionRequest:
    """The supporter asks to be deleted: staff review the request and anonymise. Their unused
    e-mail links stop working and they can no longer log in meanwhile."""
    with transaction.atomic():
        request = supporter.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()
        if request is None:
            request = DeletionRequest.objects.create(supporter=supporter, reason=reason)
        supporter.status = Supporter.Status.DELETION_REQUESTED
        supporter.save(update_fields=["status", "updated_at"])
        supporter.access_tokens.filter(used_at__isnull=True).update(used_at=timezone.now())
        return request

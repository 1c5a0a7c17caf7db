"""Business rules for supporters, consents, e-mail links and memberships.

Views, the admin, imports and tasks call these; none of them change member data any other way.
Every function is keyword-only and named <entity>_<action>.
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ouendan.core.exports import spreadsheet_csv
from ouendan.core.mail import email_queue, email_redact

from .models import (
    NOT_CONTACTABLE,
    AccessToken,
    Area,
    ConsentRecord,
    DeletionRequest,
    Interest,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)
from .privacy import privacy_sections_export

CONFIRM_LINK_VALID = datetime.timedelta(hours=48)
LOGIN_LINK_VALID = datetime.timedelta(minutes=30)
# A failed-payment e-mail may be read days later; Stripe retries for about a week.
BILLING_LINK_VALID = datetime.timedelta(days=7)
LINK_VALIDITY = {
    AccessToken.Purpose.CONFIRM_SIGNUP: CONFIRM_LINK_VALID,
    AccessToken.Purpose.LOGIN: LOGIN_LINK_VALID,
    AccessToken.Purpose.BILLING: BILLING_LINK_VALID,
}


# --- Duplicates --------------------------------------------------------------------------------


def supporter_find_duplicate(
    *,
    email: str = "",
    kana: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
) -> Supporter | None:
    """The existing supporter with this e-mail (any case), or with this kana name and phone.

    `kana` is the full kana name as `Supporter.display_name_kana` gives it. Arguments must already
    be normalised (members/normalise.py).
    """
    candidates = Supporter.objects.exclude(status=Supporter.Status.ANONYMISED)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    if email:
        # Lower() matches the unique index on lower(email); iexact would compile to UPPER().
        # E-mail is unique, so no ORDER BY is needed (first() would add one).
        by_email = candidates.alias(email_lower=Lower("email")).filter(email_lower=email.lower())
        match = next(iter(by_email.order_by()[:1]), None)
        if match:
            return match
    if kana and phone:
        family, _, given = kana.partition("\u3000")
        person = Q(family_name_kana=family, given_name_kana=given)
        organisation = Q(organisation_name_kana=kana)
        return candidates.filter(person | organisation, phone=phone).first()
    return None


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
    try:
        with transaction.atomic():
            return Supporter.objects.create(**{**defaults, "email": email}), True
    except IntegrityError:
        found = supporter_find_duplicate(email=email)
        if found is None:
            raise  # another constraint, not the e-mail race
        return found, False


# --- Consents ----------------------------------------------------------------------------------


def consents_current(*, supporter: Supporter) -> dict[str, ConsentRecord]:
    """The record in force for each consent kind (the newest one)."""
    current: dict[str, ConsentRecord] = {}
    for record in supporter.consents.order_by("kind", "-recorded_at", "-pk"):
        current.setdefault(record.kind, record)
    return current


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


# --- E-mail links ------------------------------------------------------------------------------


def access_token_issue(*, supporter: Supporter, purpose: str) -> str:
    """Create a single-use link secret. Only its hash is stored; the secret goes in the e-mail."""
    valid = LINK_VALIDITY[purpose]
    secret = AccessToken.new_secret()
    now = timezone.now()
    AccessToken.objects.create(
        supporter=supporter,
        purpose=purpose,
        token_hash=AccessToken.hash(secret),
        created_at=now,
        expires_at=now + valid,
    )
    return secret


def access_token_redeem(*, secret: str, purpose: str) -> Supporter | None:
    """The supporter a valid, unused link belongs to, marking it used; None otherwise.

    The conditional UPDATE makes redemption single-use even when two requests race.
    """
    now = timezone.now()
    tokens = AccessToken.objects.filter(
        token_hash=AccessToken.hash(secret or ""),
        purpose=purpose,
        used_at__isnull=True,
        expires_at__gt=now,
    )
    token = tokens.select_related("supporter").first()
    if token is None or tokens.filter(pk=token.pk).update(used_at=now) != 1:
        return None
    return token.supporter


# --- Sign-up -----------------------------------------------------------------------------------


@dataclass
class RegistrationResult:
    supporter: Supporter
    created: bool


def _send_template_mail(
    *, supporter: Supporter, key: str, template: str, context: dict, secrets: tuple[str, ...] = ()
) -> None:
    """Render and queue a members e-mail. `secrets` (a single-use link, its token) are sent but
    stored redacted in the body staff can read."""
    with translation.override(supporter.preferred_language):
        subject = render_to_string(f"members/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"members/email/{template}_body.txt", context)
    redacted = email_redact(text=body, secrets=list(secrets))
    email_queue(
        key=key,
        to=supporter.email,
        subject=subject,
        body=redacted,
        secret_body=body if redacted != body else None,
        supporter=supporter,
    )


def _email_link(*, supporter: Supporter, purpose: str, template: str, url: str) -> None:
    """Issue a single-use link and e-mail it. The outbox key names the link itself, so each new
    link is sent exactly once, however often the surrounding code runs. Staff never see the
    link: a login link read in the outbox would let them in as the supporter."""
    secret = access_token_issue(supporter=supporter, purpose=purpose)
    link = url.format(token=secret)
    _send_template_mail(
        supporter=supporter,
        key=f"{template}:{supporter.pk}:{AccessToken.hash(secret)[:16]}",
        template=template,
        context={"supporter": supporter, "url": link},
        secrets=(link, secret),
    )


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
            _email_link(
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
        _email_link(
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
    if supporter is None or supporter.status in NOT_CONTACTABLE:
        return False
    _email_link(
        supporter=supporter,
        purpose=AccessToken.Purpose.LOGIN,
        template="login_link",
        url=login_url,
    )
    return True


# --- Memberships -------------------------------------------------------------------------------


def _add_period(day: datetime.date, period: str) -> datetime.date:
    months = 12 if period == MembershipPlan.Period.YEAR else 1
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def membership_start(
    *,
    supporter: Supporter,
    plan: MembershipPlan,
    units: int = 1,
    auto_renew: bool = False,
    today: datetime.date | None = None,
) -> Membership:
    """A new membership. Free plans start at once; paid ones wait for their first payment."""
    today = today or timezone.localdate()
    membership = Membership(
        supporter=supporter,
        plan=plan,
        units=units if plan.per_unit else 1,
        amount_yen=plan.amount_yen * (units if plan.per_unit else 1),
        auto_renew=auto_renew,
    )
    if plan.period == MembershipPlan.Period.NONE:
        membership.status = Membership.Status.ACTIVE
        membership.started_on = today
    membership.save()
    return membership


def membership_record_payment(*, membership: Membership, paid_at: datetime.datetime) -> Membership:
    """A period's fee was paid (called by the donations ledger): activate or extend.

    The new renewal date runs on from the current one, so paying early never loses days and
    paying late does not backdate the membership past what was paid for.
    """
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        paid_on = timezone.localdate(paid_at)
        base = (
            membership.renews_on
            if membership.renews_on and membership.renews_on > paid_on
            else paid_on
        )
        if membership.started_on is None:
            membership.started_on = paid_on
        if membership.plan.period != MembershipPlan.Period.NONE:
            membership.renews_on = _add_period(base, membership.plan.period)
        membership.status = Membership.Status.ACTIVE
        membership.last_paid_at = paid_at
        membership.save()
        return membership


def membership_lapse_overdue(*, today: datetime.date | None = None) -> int:
    """Active memberships past their renewal date become lapsed. Returns how many."""
    today = today or timezone.localdate()
    return Membership.objects.filter(status=Membership.Status.ACTIVE, renews_on__lt=today).update(
        status=Membership.Status.LAPSED
    )


def membership_cancel(*, membership: Membership) -> Membership:
    membership.status = Membership.Status.CANCELLED
    membership.auto_renew = False
    membership.cancelled_at = timezone.now()
    membership.save(update_fields=["status", "auto_renew", "cancelled_at"])
    return membership


# --- Public journeys: join form and member portal ----------------------------------------------

PORTAL_PROFILE_FIELDS = frozenset(
    {
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "birth_year",
        "organisation_name",
        "organisation_name_kana",
        "department",
        "contact_person",
        "invoice_address",
        "phone",
        "postal_code",
        "prefecture",
        "city",
        "address_line",
        "building",
        "preferred_language",
    }
)


def access_token_is_valid(*, secret: str, purpose: str) -> bool:
    """Whether a link is still usable, without using it (for the page that asks to confirm)."""
    return AccessToken.objects.filter(
        token_hash=AccessToken.hash(secret or ""),
        purpose=purpose,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


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
    _email_link(
        supporter=supporter,
        purpose=AccessToken.Purpose.CONFIRM_SIGNUP,
        template="confirm_signup",
        url=confirm_url,
    )
    return True


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


def export_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def export_record(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row's fields as JSON-ready values (related rows by name), for "download my data"."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = export_value(getattr(instance, field.attname))
    return data


def supporter_export_data(*, supporter: Supporter) -> dict[str, Any]:
    """Everything held about a supporter, for "download my data": plain JSON-ready values.

    E-mails are listed without their bodies (they held login links); staff user accounts that
    reviewed a request are not named.
    """
    data: dict[str, Any] = {
        "exported_at": export_value(timezone.now()),
        "supporter": export_record(supporter),
        "volunteer_profile": None,
        "memberships": [
            export_record(membership, exclude=("supporter",))
            for membership in supporter.memberships.select_related("plan").order_by("created_at")
        ],
        "consents": [
            {
                **export_record(record, exclude=("supporter", "id")),
                "kind_label": str(record.get_kind_display()),
            }
            for record in supporter.consents.order_by("recorded_at", "pk")
        ],
        "deletion_requests": [
            export_record(request, exclude=("supporter", "reviewed_by"))
            for request in supporter.deletion_requests.order_by("requested_at")
        ],
        "emails": [
            {
                "subject": email.subject,
                "to": email.to,
                "status": email.status,
                "created_at": export_value(email.created_at),
                "sent_at": export_value(email.sent_at),
            }
            for email in supporter.emails.order_by("created_at", "pk")
        ],
    }
    data.update(privacy_sections_export(supporter=supporter))
    profile = VolunteerProfile.objects.filter(supporter=supporter).first()
    if profile is not None:
        data["volunteer_profile"] = {
            **export_record(profile, exclude=("supporter",)),
            "skills": [skill.name for skill in profile.skills.all()],
            "areas": [area.name for area in profile.areas.all()],
            "interests": [interest.name for interest in profile.interests.all()],
        }
    return data


def supporter_export_csv(*, supporter: Supporter) -> str:
    """`supporter_export_data` as one CSV table (section, record, field, value), with the
    byte-order mark and every cell made safe to open in a spreadsheet."""
    data = supporter_export_data(supporter=supporter)
    rows: list[list[Any]] = [["section", "record", "field", "value"]]

    def add(section: str, number: int | str, record: dict[str, Any]) -> None:
        for field, value in record.items():
            if isinstance(value, list | tuple):
                value = ", ".join(str(item) for item in value)
            rows.append([section, number, field, "" if value is None else value])

    rows.append(["export", "", "exported_at", data["exported_at"]])
    add("supporter", 1, data["supporter"])
    if data["volunteer_profile"]:
        add("volunteer_profile", 1, data["volunteer_profile"])
    for section, records in data.items():
        if section in ("exported_at", "supporter", "volunteer_profile"):
            continue
        for number, record in enumerate(records, start=1):
            add(section, number, record)
    return spreadsheet_csv(rows)


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

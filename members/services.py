"""Business rules for supporters, consents, e-mail links and memberships.

Views, the admin, imports and tasks call these; none of them change member data any other way.
Every function is keyword-only and named <entity>_<action>.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from home.mail import email_queue

from .models import (
    AccessToken,
    ConsentRecord,
    Membership,
    MembershipPlan,
    Supporter,
)

CONFIRM_LINK_VALID = datetime.timedelta(hours=48)
LOGIN_LINK_VALID = datetime.timedelta(minutes=30)


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
        match = candidates.filter(email__iexact=email).first()
        if match:
            return match
    if kana and phone:
        family, _, given = kana.partition("\u3000")
        person = Q(family_name_kana=family, given_name_kana=given)
        organisation = Q(organisation_name_kana=kana)
        return candidates.filter(person | organisation, phone=phone).first()
    return None


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
    valid = (
        CONFIRM_LINK_VALID if purpose == AccessToken.Purpose.CONFIRM_SIGNUP else LOGIN_LINK_VALID
    )
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


def _send_template_mail(*, supporter: Supporter, key: str, template: str, context: dict) -> None:
    with translation.override(supporter.preferred_language):
        subject = render_to_string(f"members/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"members/email/{template}_body.txt", context)
    email_queue(key=key, to=supporter.email, subject=subject, body=body, supporter=supporter)


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
            secret = access_token_issue(supporter=existing, purpose=AccessToken.Purpose.LOGIN)
            _send_template_mail(
                supporter=existing,
                key=f"already-registered:{existing.pk}:{AccessToken.hash(secret)[:16]}",
                template="already_registered",
                context={"supporter": existing, "url": login_url.format(token=secret)},
            )
            return RegistrationResult(supporter=existing, created=False)

        supporter.status = Supporter.Status.PENDING
        supporter.source = Supporter.Source.WEB
        supporter.save()
        consent_record(
            supporter=supporter,
            kind=ConsentRecord.Kind.PRIVACY_POLICY,
            granted=True,
            source=ConsentRecord.Source.JOIN_FORM,
            policy_version=policy_version,
        )
        for kind, granted in consents.items():
            consent_record(
                supporter=supporter,
                kind=kind,
                granted=granted,
                source=ConsentRecord.Source.JOIN_FORM,
            )
        secret = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.CONFIRM_SIGNUP)
        _send_template_mail(
            supporter=supporter,
            key=f"confirm-signup:{supporter.pk}",
            template="confirm_signup",
            context={"supporter": supporter, "url": confirm_url.format(token=secret)},
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
    if supporter is None or supporter.status in (
        Supporter.Status.ANONYMISED,
        Supporter.Status.DELETION_REQUESTED,
    ):
        return False
    secret = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.LOGIN)
    _send_template_mail(
        supporter=supporter,
        key=f"login-link:{supporter.pk}:{AccessToken.hash(secret)[:16]}",
        template="login_link",
        context={"supporter": supporter, "url": login_url.format(token=secret)},
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

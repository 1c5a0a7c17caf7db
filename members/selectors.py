"""Reads of members data: queries that return data and change nothing.

Services, views and the admin call these; writes stay in members/services.py.
Every function is keyword-only.
"""

import contextlib
import datetime
from dataclasses import dataclass

import jaconv
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ouendan.core.models import OutgoingEmail

from . import normalise
from .fields import SUPPORTER_SEARCH_FIELDS
from .import_progress import IN_PROGRESS
from .models import (
    AccessToken,
    ConsentRecord,
    DeletionRequest,
    JoinPage,
    MemberImport,
    MemberPortalPage,
    Membership,
    MembershipPlan,
    Supporter,
    VolunteerProfile,
)

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
    candidates = Supporter.objects.exclude(
        status__in=[Supporter.Status.ANONYMISED, Supporter.Status.MERGED]
    )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    if email:
        # Lower() matches the unique index on lower(email); iexact would compile to UPPER().
        # That index is partial (non-empty addresses): without `email <> ''` in the query
        # PostgreSQL cannot use it and scans the whole table on every look-up.
        # E-mail is unique, so no ORDER BY is needed (first() would add one).
        by_email = (
            candidates.alias(email_lower=Lower("email"))
            .filter(email_lower=email.lower())
            .exclude(email="")
        )
        match = next(iter(by_email.order_by()[:1]), None)
        if match:
            return match
    if kana and phone:
        family, _, given = kana.partition("\u3000")
        person = Q(family_name_kana=family, given_name_kana=given)
        organisation = Q(organisation_name_kana=kana)
        return candidates.filter(person | organisation, phone=phone).first()
    return None


# --- Consents and e-mail links -----------------------------------------------------------------


def consents_current(*, supporter: Supporter) -> dict[str, ConsentRecord]:
    """The record in force for each consent kind (the newest one)."""
    current: dict[str, ConsentRecord] = {}
    for record in supporter.consents.order_by("kind", "-recorded_at", "-pk"):
        current.setdefault(record.kind, record)
    return current


def access_token_is_valid(*, secret: str, purpose: str) -> bool:
    """Whether a link is still usable, without using it (for the page that asks to confirm)."""
    return AccessToken.objects.filter(
        token_hash=AccessToken.hash(secret or ""),
        purpose=purpose,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


# --- The staff supporter list (members/admin/supporters.py) ------------------------------------


def supporters_for_list():
    """Supporters with their current (newest) membership's plan, status and renewal date, read
    through `Supporter.current_membership` (kept up to date on every membership change) with two
    joins: no per-row subquery, so filtering and ordering on them use indexes.
    Merged duplicates (members/merge.py) are not listed: their survivor holds everything."""
    return Supporter.objects.exclude(status=Supporter.Status.MERGED).annotate(
        membership_plan_id=F("current_membership__plan_id"),
        membership_plan_name=F("current_membership__plan__name"),
        membership_status=F("current_membership__status"),
        membership_renews_on=F("current_membership__renews_on"),
    )


SEARCH_FIELDS = list(SUPPORTER_SEARCH_FIELDS)  # Wagtail's search_fields wants a list


def _search_variants(term: str) -> set[str]:
    """The term as typed, plus its katakana (kana are stored in katakana) and half-width forms,
    and a whole phone number typed without hyphens in the stored form (09012345678 →
    090-1234-5678); lower-cased, as `Supporter.search_text` is."""
    katakana = jaconv.hira2kata(jaconv.h2z(term, kana=True, ascii=False, digit=False))
    variants = {term, normalise.to_halfwidth(term), katakana, normalise.to_halfwidth(katakana)}
    digits = normalise.to_halfwidth(term).replace("-", "")
    if digits.isdigit() and len(digits) >= 10:
        with contextlib.suppress(ValidationError):  # not a phone number: digits as typed
            variants.add(normalise.normalise_phone(digits))
    return {variant.lower() for variant in variants}


def supporters_search(queryset, query: str):
    """Every word of `query` must match a name, kana, e-mail or phone (any case, kana in any
    script, phone with or without hyphens).

    Matches `Supporter.search_text`, a column the database computes from those fields, with
    `LIKE '%word%'`; on PostgreSQL its pg_trgm GIN index answers that without reading the table.
    Wagtail's database search backend would first fetch every matching id, which is slow on
    100,000 rows and does not match parts of words such as phone digits.
    """
    for term in query.split():
        term_filter = Q()
        for variant in sorted(_search_variants(term)):
            term_filter |= Q(search_text__contains=variant)
        queryset = queryset.filter(term_filter)
    return queryset


# --- A supporter's timeline (the admin's detail page) ------------------------------------------


@dataclass
class TimelineEntry:
    when: datetime.datetime
    kind: str
    title: str
    detail: str = ""


def _gift_entries(supporter: Supporter) -> list[TimelineEntry]:
    """Gifts, refunds and monthly gifts from the donations ledger (two queries)."""
    entries = []
    for donation in supporter.donations.all():
        detail = f"{donation.get_method_display()} · ¥{donation.amount_yen:,}"
        if donation.refunded_yen:
            detail += " · " + gettext("refunded ¥%(amount)s") % {
                "amount": f"{donation.refunded_yen:,}"
            }
        title = _("Gift received: %(kind)s") % {"kind": donation.get_kind_display()}
        entries.append(TimelineEntry(donation.paid_at, "donation", title, detail))
    for gift in supporter.recurring_donations.all():
        amount = {"amount": f"{gift.amount_yen:,}"}
        if gift.started_at:
            entries.append(
                TimelineEntry(
                    gift.started_at,
                    "donation",
                    _("Monthly gift started: ¥%(amount)s") % amount,
                    gift.get_status_display(),
                )
            )
        if gift.cancelled_at:
            entries.append(
                TimelineEntry(
                    gift.cancelled_at, "donation", _("Monthly gift cancelled: ¥%(amount)s") % amount
                )
            )
    return entries


def supporter_timeline(
    *, supporter: Supporter, include_emails: bool = True, include_gifts: bool = False
) -> list:
    """Everything that happened to a supporter, newest first.

    Reads the related rows with one query each (no per-entry queries).
    """
    entries: list[TimelineEntry] = []
    sign_up = {
        Supporter.Source.WEB: _("Signed up with the join form"),
        Supporter.Source.IMPORT: _("Imported"),
        Supporter.Source.STAFF: _("Entered by staff"),
    }[supporter.source]
    entries.append(TimelineEntry(supporter.created_at, "created", sign_up))
    if supporter.confirmed_at:
        entries.append(
            TimelineEntry(supporter.confirmed_at, "confirmed", _("E-mail address confirmed"))
        )
    if supporter.anonymised_at:
        entries.append(
            TimelineEntry(supporter.anonymised_at, "anonymised", _("Personal data deleted"))
        )
    if supporter.merged_at and supporter.merged_into_id:
        entries.append(
            TimelineEntry(
                supporter.merged_at,
                "merge",
                _("Merged into %(name)s") % {"name": supporter.merged_into},
            )
        )
    for stub in supporter.merged_duplicates.all():
        if stub.merged_at:
            title = _("Record #%(pk)s merged into this one") % {"pk": stub.pk}
            entries.append(TimelineEntry(stub.merged_at, "merge", title, str(stub)))
    for consent in supporter.consents.all():
        title = (
            _("Consent given: %(kind)s") if consent.granted else _("Consent withdrawn: %(kind)s")
        ) % {"kind": consent.get_kind_display()}
        detail = consent.get_source_display()
        if consent.policy_version:
            detail += " · " + gettext("version %(version)s") % {"version": consent.policy_version}
        entries.append(TimelineEntry(consent.recorded_at, "consent", title, detail))
    for membership in supporter.memberships.select_related("plan"):
        plan = {"plan": membership.plan.name}
        entries.append(
            TimelineEntry(
                membership.created_at,
                "membership",
                _("Membership created: %(plan)s") % plan,
                membership.get_status_display(),
            )
        )
        if membership.last_paid_at:
            entries.append(
                TimelineEntry(
                    membership.last_paid_at,
                    "membership",
                    _("Membership paid: %(plan)s") % plan,
                    f"¥{membership.amount_yen:,}",
                )
            )
        if membership.cancelled_at:
            entries.append(
                TimelineEntry(
                    membership.cancelled_at,
                    "membership",
                    _("Membership cancelled: %(plan)s") % plan,
                )
            )
    for request in supporter.deletion_requests.select_related("reviewed_by"):
        entries.append(
            TimelineEntry(request.requested_at, "deletion", _("Deletion requested"), request.reason)
        )
        if request.reviewed_at:
            title = (
                _("Deletion request approved")
                if request.status == DeletionRequest.Status.COMPLETED
                else _("Deletion request rejected")
            )
            reviewer = request.reviewed_by.get_username() if request.reviewed_by else ""
            detail = " · ".join(part for part in [reviewer, request.review_note] if part)
            entries.append(TimelineEntry(request.reviewed_at, "deletion", title, detail))
    if include_gifts:
        entries.extend(_gift_entries(supporter))
    if include_emails:
        emails = OutgoingEmail.objects.filter(supporter=supporter)
        if not include_gifts:  # money mail (even its subject) is for those who see the money
            emails = emails.exclude(category=OutgoingEmail.Category.MONEY)
        for email in emails.order_by("-created_at"):
            entries.append(
                TimelineEntry(
                    email.created_at,
                    "email",
                    _("E-mail: %(subject)s") % {"subject": email.subject},
                    email.get_status_display(),
                )
            )
    # Newest first; events at the same moment keep their natural order reversed (sign-up last).
    order = {id(entry): index for index, entry in enumerate(entries)}
    entries.sort(key=lambda entry: (entry.when, order[id(entry)]), reverse=True)
    return entries


# --- The public journeys (members/views/) -----------------------------------------------------


def supporter_active_get(*, pk: int) -> Supporter | None:
    """The active supporter with this id (a portal session's), or None."""
    return Supporter.objects.filter(pk=pk, status=Supporter.Status.ACTIVE).first()


def volunteer_profile_for(*, supporter: Supporter) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(supporter=supporter).first()


def memberships_of(*, supporter: Supporter) -> QuerySet[Membership]:
    return supporter.memberships.select_related("plan")


def memberships_payable(*, supporter: Supporter) -> list[Membership]:
    """The supporter's memberships with a fee that can be paid now (Membership.needs_payment)."""
    return [
        membership
        for membership in memberships_of(supporter=supporter)
        if membership.needs_payment()
    ]


def consent_history(*, supporter: Supporter) -> QuerySet[ConsentRecord]:
    """Every consent record of the supporter, newest first."""
    return supporter.consents.order_by("-recorded_at", "-pk")


def join_page_plans(*, page: JoinPage) -> QuerySet[MembershipPlan]:
    """The plans a join page offers that are still offered to new members."""
    return page.plans.filter(is_active=True).order_by("sort_order", "name")


def member_portal_page_find() -> MemberPortalPage | None:
    """The live member portal page: the Japanese one, else any."""
    pages = MemberPortalPage.objects.live()
    return pages.filter(locale__language_code="ja").first() or pages.first()


# --- Staff screens -----------------------------------------------------------------------------


def supporter_for_detail(*, pk: int) -> Supporter:
    """A supporter with the volunteer profile and its lists loaded (the admin's detail page);
    Http404 when there is none."""
    return get_object_or_404(
        Supporter.objects.select_related("volunteer_profile").prefetch_related(
            Prefetch("volunteer_profile__skills"),
            Prefetch("volunteer_profile__areas"),
            Prefetch("volunteer_profile__interests"),
        ),
        pk=pk,
    )


def member_imports_recent(*, limit: int) -> list[MemberImport]:
    return list(MemberImport.objects.select_related("created_by")[:limit])


def supporters_for_export() -> QuerySet[Supporter]:
    """Every supporter still holding personal data, in id order (the staff export)."""
    return Supporter.objects.exclude(
        status__in=[Supporter.Status.ANONYMISED, Supporter.Status.MERGED]
    ).order_by("pk")


# --- Staff home: what needs action, one query each ---------------------------------------------

# An import needs staff while it runs, waits for "Import", or stopped with errors, as long as its
# file is kept (a day: members/tasks.py); after that only a new upload can help.
IMPORT_NEEDS_STAFF = (
    MemberImport.Status.VALIDATED,
    MemberImport.Status.INVALID,
    MemberImport.Status.FAILED,
)


def deletion_requests_waiting_count() -> int:
    return DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING).count()


def member_imports_attention_count() -> int:
    """Imports running, or waiting for staff (to confirm, or to see why they failed)."""
    return MemberImport.objects.filter(
        Q(status__in=IN_PROGRESS) | Q(status__in=IMPORT_NEEDS_STAFF, file_deleted_at__isnull=True)
    ).count()


def supporters_new_count(*, since: datetime.datetime) -> int:
    """Active supporters created since a moment (the supporter list's "created" filter with
    status "active" lists the same people)."""
    return Supporter.objects.filter(status=Supporter.Status.ACTIVE, created_at__gte=since).count()


def page_is_privacy_notice(page) -> bool:
    """The page (in any language) is the privacy policy a join form links to."""
    return JoinPage.objects.filter(privacy_page__translation_key=page.translation_key).exists()

"""Who an audience reaches: consent always required; withdrawn, deleted, merged, unconfirmed
and suppressed people never; each filter narrows it."""

import datetime

import pytest
from django.utils import timezone

from campaigns.newsletter.models import AudienceSegment
from campaigns.newsletter.selectors import segment_count, segment_supporters
from donations.goods.models import Pledge
from donations.models import Donation, RecurringDonation
from members.models import (
    Area,
    ConsentRecord,
    DeletionRequest,
    Interest,
    Supporter,
    VolunteerProfile,
)
from members.services import consent_record
from ouendan.core.models import SuppressedAddress
from ouendan.core.suppression import address_suppress
from tests.members.factories import SupporterFactory

from .factories import everyone, subscriber

pytestmark = pytest.mark.django_db


def reached(segment):
    return set(segment_supporters(segment).values_list("pk", flat=True))


def test_consent_is_required_and_withdrawn_deleted_suppressed_never_included():
    kept = subscriber()
    never_asked = SupporterFactory()
    withdrawn = subscriber()
    consent_record(
        supporter=withdrawn,
        kind=ConsentRecord.Kind.NEWSLETTER,
        granted=False,
        source=ConsentRecord.Source.UNSUBSCRIBE,
    )
    deletion_waiting = subscriber()
    DeletionRequest.objects.create(supporter=deletion_waiting)
    deletion_status = subscriber(status=Supporter.Status.DELETION_REQUESTED)
    unconfirmed = subscriber(status=Supporter.Status.PENDING)
    bounced = subscriber(email="Bounced@Example.jp")
    address_suppress(email="bounced@example.jp", reason=SuppressedAddress.Reason.BOUNCED)
    complained = subscriber()
    address_suppress(email=complained.email, reason=SuppressedAddress.Reason.COMPLAINED)
    no_email = subscriber(email="")
    segment = everyone()
    assert reached(segment) == {kept.pk}
    assert segment_count(segment) == 1
    for person in (never_asked, withdrawn, deletion_waiting, deletion_status, unconfirmed):
        assert person.pk not in reached(segment)
    assert {bounced.pk, complained.pk, no_email.pk}.isdisjoint(reached(segment))


def test_regranted_consent_counts_again():
    person = subscriber()
    for granted in (False, True):
        consent_record(
            supporter=person,
            kind=ConsentRecord.Kind.NEWSLETTER,
            granted=granted,
            source=ConsentRecord.Source.PORTAL,
        )
    assert reached(everyone()) == {person.pk}


def test_kind_language_volunteer_filters():
    person = subscriber(preferred_language="en", is_volunteer=True)
    company = subscriber(kind=Supporter.Kind.ORGANISATION, organisation_name="株式会社さくら")
    assert reached(everyone(name="a", supporter_kind="organisation")) == {company.pk}
    assert reached(everyone(name="b", language="en")) == {person.pk}
    assert reached(everyone(name="c", volunteer="yes")) == {person.pk}
    assert reached(everyone(name="d", volunteer="no")) == {company.pk}
    assert reached(everyone(name="e", corporate_contacts="yes")) == {company.pk}


def test_school_district_and_interest_filters():
    district = Area.objects.create(name="桜小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    other = Area.objects.create(name="梅小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    cooking = Interest.objects.create(name="調理")
    here = subscriber(is_volunteer=True)
    profile = VolunteerProfile.objects.create(supporter=here)
    profile.areas.add(district)
    profile.interests.add(cooking)
    there = subscriber(is_volunteer=True)
    VolunteerProfile.objects.create(supporter=there).areas.add(other)
    segment = everyone()
    segment.school_districts.add(district)
    assert reached(segment) == {here.pk}
    by_interest = everyone(name="調理")
    by_interest.interests.add(cooking)
    assert reached(by_interest) == {here.pk}


def _gift(supporter, *, years_ago: int):
    paid = timezone.now().replace(month=6, day=15) - datetime.timedelta(days=365 * years_ago)
    if years_ago == 0:
        paid = timezone.now() - datetime.timedelta(minutes=5)
    return Donation.objects.create(
        supporter=supporter,
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.CASH,
        amount_yen=3000,
        paid_at=paid,
    )


def test_monthly_lybunt_sybunt_and_pledgers():
    monthly = subscriber()
    RecurringDonation.objects.create(
        supporter=monthly,
        amount_yen=1000,
        status=RecurringDonation.Status.ACTIVE,
        stripe_subscription_id="sub_news",
    )
    lybunt = subscriber()
    _gift(lybunt, years_ago=1)
    sybunt = subscriber()
    _gift(sybunt, years_ago=3)
    current = subscriber()
    _gift(current, years_ago=1)
    _gift(current, years_ago=0)
    pledger = subscriber()
    Pledge.objects.create(supporter=pledger)
    assert reached(everyone(name="m", monthly_donors="yes")) == {monthly.pk}
    assert reached(everyone(name="l", lapsed=AudienceSegment.Lapsed.LYBUNT)) == {lybunt.pk}
    assert reached(everyone(name="s", lapsed=AudienceSegment.Lapsed.SYBUNT)) == {sybunt.pk}
    assert reached(everyone(name="x", lapsed=AudienceSegment.Lapsed.EITHER)) == {
        lybunt.pk,
        sybunt.pk,
    }
    assert pledger.pk in reached(everyone(name="c", corporate_contacts="yes"))

"""The staff offline-gift form records a membership fee against one of the donor's memberships:
the fee is a ledger row pointing at it, and the membership is paid and extended. A membership of
someone else, or on a gift that is not a fee, is refused."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from donations.models import Donation
from members.groups import FINANCE
from members.models import Membership, MembershipPlan
from members.services import membership_start
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db

URL = "/admin/donation/new/"


@pytest.fixture
def finance(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    return user


@pytest.fixture
def plan():
    return MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)


def fee(donor, membership, **changes):
    paid_at = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "supporter": str(donor.pk),
        "kind": "membership",
        "method": "bank_transfer",
        "amount_yen": "3000",
        "paid_at": paid_at.strftime("%Y-%m-%d %H:%M"),
        "campaign": "",
        "programme": "",
        "membership": str(membership.pk) if membership else "",
        "note": "",
        **changes,
    }


def test_a_fee_names_the_donors_membership_and_extends_it(client, finance, plan):
    hanako = SupporterFactory()
    membership = membership_start(supporter=hanako, plan=plan)
    other = membership_start(supporter=SupporterFactory(), plan=plan)
    assert membership.status == Membership.Status.PENDING

    # With the donor known (the supporter page's "Record a gift"), only their memberships.
    page = client.get(URL, {"supporter": hanako.pk}).content.decode()
    assert f'value="{membership.pk}"' in page and f'value="{other.pk}"' not in page
    assert 'data-widget="filtered-select"' in page  # options follow the chosen donor

    response = client.post(URL, fee(hanako, membership))
    assert response.status_code == 302, response.context["form"].errors
    donation = Donation.objects.get()
    assert donation.membership == membership and donation.kind == Donation.Kind.MEMBERSHIP
    assert donation.supporter == hanako and donation.amount_yen == 3000
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.last_paid_at == donation.paid_at
    assert membership.renews_on is not None


def test_someone_elses_membership_or_a_gift_is_refused(client, finance, plan):
    hanako, taro = SupporterFactory(), SupporterFactory()
    taros = membership_start(supporter=taro, plan=plan)
    hanakos = membership_start(supporter=hanako, plan=plan)

    response = client.post(URL, fee(hanako, taros))
    assert response.status_code == 200
    assert "membership" in response.context["form"].errors

    response = client.post(URL, fee(hanako, hanakos, kind="one_off"))
    assert response.status_code == 200
    assert "membership" in response.context["form"].errors
    assert not Donation.objects.exists()


def test_a_new_gift_on_this_form_still_names_its_donor(client, finance):
    response = client.post(URL, fee(SupporterFactory(), None, supporter="", kind="one_off"))
    assert response.status_code == 200
    assert "supporter" in response.context["form"].errors
    assert not Donation.objects.exists()

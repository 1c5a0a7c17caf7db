"""Programmes (子どもの居場所, フードバンク...): a snippet Finance keeps, named by gifts (none:
where most needed), shown in the ledger list and its CSV, and summed on the funding dashboard."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.db.models import ProtectedError
from django.utils import timezone, translation

from donations.funding.programmes import revenue_by_programme
from donations.models import MOST_NEEDED, Donation, Programme
from donations.services import donation_record
from members.groups import FINANCE, MEMBER_STAFF
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db

SNIPPETS = "/admin/snippets/donations/programme/"


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


@pytest.fixture
def member_staff(django_user_model):
    user = django_user_model.objects.create_user("members", password="pw")
    user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    return user


def gift(amount, programme=None, **kwargs):
    donation, _ = donation_record(
        supporter=kwargs.pop("supporter", None) or SupporterFactory(),
        kind=kwargs.pop("kind", Donation.Kind.ONE_OFF),
        method=Donation.Method.CASH,
        amount_yen=amount,
        paid_at=kwargs.pop("paid_at", timezone.now() - datetime.timedelta(hours=1)),
        programme_id=programme.pk if programme else None,
        **kwargs,
    )
    return donation


def test_finance_adds_a_programme_and_other_staff_are_refused(client, finance, member_staff):
    client.force_login(member_staff)
    assert client.get(SNIPPETS).status_code in (302, 403)
    client.force_login(finance)
    response = client.post(
        f"{SNIPPETS}add/",
        {"name_ja": "フードバンク", "name_en": "Food bank", "sort_order": "1", "active": "on"},
    )
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert (programme.name_ja, programme.name_en, programme.active) == (
        "フードバンク",
        "Food bank",
        True,
    )
    assert "フードバンク" in client.get(SNIPPETS).content.decode()


def test_the_name_follows_the_language():
    programme = Programme.objects.create(name_ja="ひとり親支援", name_en="Single parents")
    no_english = Programme.objects.create(name_ja="子どもの居場所")
    with translation.override("en"):
        assert (programme.name, no_english.name) == ("Single parents", "子どもの居場所")
    with translation.override("ja"):
        assert programme.name == "ひとり親支援"


def test_a_programme_with_gifts_is_never_deleted():
    programme = Programme.objects.create(name_ja="フードバンク")
    gift(1000, programme)
    with pytest.raises(ProtectedError):
        programme.delete()


def test_finance_records_a_gift_for_a_programme_and_the_ledger_shows_it(client, finance):
    food = Programme.objects.create(name_ja="フードバンク")
    Programme.objects.create(name_ja="休止中の事業", active=False)
    client.force_login(finance)
    form = client.get("/admin/donation/new/").context["form"]
    assert [p.name_ja for p in form.fields["programme"].queryset] == ["フードバンク"]
    data = {
        "supporter": SupporterFactory(family_name="山田").pk,
        "kind": "one_off",
        "method": "bank_transfer",
        "amount_yen": "8000",
        "paid_at": "2026-11-01 10:00",
        "programme": food.pk,
        "note": "",
    }
    assert client.post("/admin/donation/new/", data).status_code == 302
    gift(2000)  # where most needed
    assert Donation.objects.get(amount_yen=8000).programme == food

    # In the admin's language (Japanese once the catalogue has the new strings).
    with translation.override("ja"):
        most_needed, heading = (
            str(MOST_NEEDED),
            str(Donation._meta.get_field("programme").verbose_name),
        )
    html = client.get("/admin/donation/").content.decode()
    assert "フードバンク" in html and most_needed in html

    response = client.get("/admin/donation/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index(heading)
    assert sorted(row[column] for row in rows[1:]) == sorted(["フードバンク", most_needed])


def test_a_membership_fee_cannot_name_a_programme_in_the_form(client, finance):
    food = Programme.objects.create(name_ja="フードバンク")
    client.force_login(finance)
    response = client.post(
        "/admin/donation/new/",
        {
            "supporter": SupporterFactory().pk,
            "kind": "membership",
            "method": "cash",
            "amount_yen": "3000",
            "paid_at": "2026-11-01 10:00",
            "programme": food.pk,
        },
    )
    assert response.status_code == 200 and "programme" in response.context["form"].errors
    assert not Donation.objects.exists()


def test_revenue_by_programme_for_the_period():
    children = Programme.objects.create(name_ja="子どもの居場所", sort_order=1)
    food = Programme.objects.create(name_ja="フードバンク", sort_order=2)
    Programme.objects.create(name_ja="ひとり親支援", sort_order=3)
    old = Programme.objects.create(name_ja="終了した事業", sort_order=4, active=False)
    paid = datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC)
    gift(6000, food, paid_at=paid)
    gift(1000, food, paid_at=paid)
    gift(3000, children, paid_at=paid)
    gift(5000, old, paid_at=paid)  # inactive, but it has gifts in the period: shown
    gift(5000, paid_at=paid)  # where most needed
    gift(9000, food, paid_at=paid.replace(month=7))  # outside the period
    gift(3000, paid_at=paid, kind=Donation.Kind.MEMBERSHIP)  # a fee: not a gift to a cause

    with translation.override("en"):
        rows = revenue_by_programme(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 1))
    assert [(r.name, r.gifts, r.amount_yen) for r in rows] == [
        ("子どもの居場所", 1, 3000),
        ("フードバンク", 2, 7000),
        ("ひとり親支援", 0, 0),
        ("終了した事業", 1, 5000),
        ("Where most needed", 1, 5000),
    ]
    assert rows[1].share == 7000 / 20000

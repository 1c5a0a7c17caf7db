"""Batch entry of offline gifts: rows → check (total, duplicates) → all recorded in one
transaction through the single-gift service, or nothing."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from donations.models import Donation
from donations.offline_gifts import (
    DuplicateGift,
    OfflineGift,
    donation_record_offline,
    donation_record_offline_batch,
)
from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from tests.members.factories import SupporterFactory
from tests.test_permissions_matrix import outcome

pytestmark = pytest.mark.django_db

URL = "/admin/donation/batch/"


def staff(django_user_model, group: str):
    user = django_user_model.objects.create_user(f"user-{group}", password="pw")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def finance(client, django_user_model):
    user = staff(django_user_model, FINANCE)
    client.force_login(user)
    return user


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def batch_data(rows, *, total_forms=10, action="review", **extra):
    """POST data for the batch form: `rows` are dicts of the filled rows, the rest stay empty."""
    data = {
        "gifts-TOTAL_FORMS": str(total_forms),
        "gifts-INITIAL_FORMS": "0",
        "gifts-MIN_NUM_FORMS": "0",
        "gifts-MAX_NUM_FORMS": "200",
        "action": action,
        **extra,
    }
    for n in range(total_forms):
        row = {"supporter": "", "amount_yen": "", "paid_on": "", "method": "bank_transfer"}
        row.update({"campaign": "", "note": ""})
        if n < len(rows):
            row.update(rows[n])
        data.update({f"gifts-{n}-{field}": value for field, value in row.items()})
    return data


def row(supporter, amount, campaign=None, **changes):
    return {
        "supporter": str(supporter.pk),
        "amount_yen": str(amount),
        "paid_on": yesterday().isoformat(),
        "campaign": str(campaign.pk) if campaign else "",
        **changes,
    }


def test_the_screen_shows_empty_rows_and_the_ledger_links_to_it(client, finance):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 10
    assert reverse("donation:batch") in client.get("/admin/donation/").content.decode()


def test_check_then_record_a_batch(client, finance, campaign, django_capture_on_commit_callbacks):
    from campaigns.selectors import campaign_progress

    hanako, taro, jiro = SupporterFactory(), SupporterFactory(), SupporterFactory()
    rows = [
        row(hanako, 3000, campaign, note="募金箱 11月"),
        row(taro, 12000, method="cash"),
        row(jiro, 500, campaign),
    ]
    response = client.post(URL, batch_data(rows))
    assert response.status_code == 200 and response.context["step"] == "confirm"
    html = response.content.decode()
    assert "¥15,500" in html  # the total
    assert response.context["duplicates"] == 0
    assert not Donation.objects.exists()  # nothing until confirmed

    assert campaign_progress(campaign=campaign).raised_yen == 0  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, batch_data(rows, action="record"))
    assert response.status_code == 302 and response["Location"] == "/admin/donation/"
    gifts = Donation.objects.order_by("pk")
    assert [(g.supporter, g.amount_yen, g.method, g.campaign_id) for g in gifts] == [
        (hanako, 3000, "bank_transfer", campaign.pk),
        (taro, 12000, "cash", None),
        (jiro, 500, "bank_transfer", campaign.pk),
    ]
    assert gifts[0].note == "募金箱 11月" and {g.recorded_by for g in gifts} == {finance}
    assert {timezone.localtime(g.paid_at).date() for g in gifts} == {yesterday()}
    # As for a single gift: history entries, and the effects after the commit (fresh progress).
    for gift in gifts:
        assert ModelLogEntry.objects.filter(
            object_id=str(gift.pk), action="wagtail.create", user=finance
        ).exists()
        assert gift.effects_done_at is not None
    assert campaign_progress(campaign=campaign).raised_yen == 3500


@pytest.mark.parametrize("action", ["review", "record"])
def test_an_invalid_row_saves_nothing_and_keeps_the_input(client, finance, action):
    good = SupporterFactory()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    rows = [
        row(good, 4000, note="残す"),
        row(good, "12.5"),
        row(good, 1000, paid_on=tomorrow),
        {**row(good, 2000), "supporter": ""},
    ]
    response = client.post(URL, batch_data(rows, action=action))
    assert response.status_code == 200 and response.context["step"] == "edit"
    forms = response.context["formset"].forms
    assert not forms[0].errors
    assert list(forms[1].errors) == ["amount_yen"]
    assert list(forms[2].errors) == ["paid_on"]
    assert list(forms[3].errors) == ["supporter"]
    html = response.content.decode()
    assert 'value="残す"' in html and 'value="12.5"' in html
    assert html.count("data-row-errors") == 3
    assert not Donation.objects.exists()


def test_an_empty_batch_is_refused(client, finance):
    response = client.post(URL, batch_data([]))
    assert response.context["step"] == "edit"
    assert response.context["formset"].non_form_errors()
    assert not Donation.objects.exists()


def test_a_failure_while_recording_rolls_the_whole_batch_back(monkeypatch):
    import donations.offline_gifts

    supporter = SupporterFactory()
    real = donations.offline_gifts.donation_record
    calls = []

    def failing_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(donations.offline_gifts, "donation_record", failing_third)
    gifts = [
        OfflineGift(supporter=supporter, method="cash", amount_yen=n, paid_at=timezone.now())
        for n in (100, 200, 300)
    ]
    with pytest.raises(RuntimeError):
        donation_record_offline_batch(gifts=gifts, recorded_by=None)
    assert not Donation.objects.exists()


def test_duplicates_in_the_ledger_and_within_the_batch_need_confirmation(client, finance):
    hanako, taro = SupporterFactory(), SupporterFactory()
    paid_at = timezone.make_aware(datetime.datetime.combine(yesterday(), datetime.time(15)))
    donation_record_offline(
        supporter=hanako, kind="one_off", method="cash", amount_yen=3000, paid_at=paid_at
    )
    rows = [row(hanako, 3000), row(taro, 5000), row(taro, 5000), row(taro, 7000)]

    response = client.post(URL, batch_data(rows))
    assert response.context["step"] == "confirm" and response.context["duplicates"] == 2
    flagged = {n: form.duplicate_warning for n, form in response.context["rows"]}
    assert "¥3,000" in flagged[1]  # the gift in the ledger
    assert flagged[2] == ""
    assert "2" in flagged[3]  # the same as row 2
    assert flagged[4] == ""
    assert response.content.decode().count("data-duplicate-warning") == 2

    # Recording without the tick: refused, nothing saved, the rows still there.
    response = client.post(URL, batch_data(rows, action="record"))
    assert response.status_code == 200 and response.context["step"] == "confirm"
    assert "confirm_duplicates" in response.context["confirm"].errors
    assert Donation.objects.count() == 1

    response = client.post(URL, batch_data(rows, action="record", confirm_duplicates="on"))
    assert response.status_code == 302
    assert Donation.objects.count() == 5


def test_the_service_refuses_a_duplicate_row_and_names_it():
    supporter = SupporterFactory()
    now = timezone.now()
    gifts = [
        OfflineGift(supporter=supporter, method="cash", amount_yen=1000, paid_at=now),
        OfflineGift(supporter=supporter, method="cash", amount_yen=2000, paid_at=now),
        OfflineGift(supporter=supporter, method="bank_transfer", amount_yen=1000, paid_at=now),
    ]
    with pytest.raises(DuplicateGift) as refused:
        donation_record_offline_batch(gifts=gifts, recorded_by=None)
    assert refused.value.row == 2
    assert not Donation.objects.exists()  # the first two rows were rolled back
    donation_record_offline_batch(gifts=gifts, recorded_by=None, confirmed_duplicates=True)
    assert Donation.objects.count() == 3


def test_more_rows_keeps_what_was_typed(client, finance):
    supporter = SupporterFactory()
    response = client.post(URL, batch_data([row(supporter, 800)], action="more"))
    assert response.context["formset"].total_form_count() == 15
    assert 'value="800"' in response.content.decode()
    assert "data-row-errors" not in response.content.decode()


@pytest.mark.parametrize("group", [MEMBER_STAFF, EDITORS])
def test_staff_without_the_ledger_are_refused_not_sent_to_log_in(client, django_user_model, group):
    client.force_login(staff(django_user_model, group))
    supporter = SupporterFactory()
    data = batch_data([row(supporter, 1000)], action="record")
    for response in (client.get(URL), client.post(URL, data)):
        assert outcome(response) == "no"
    assert not Donation.objects.exists()
    assert reverse("donation:batch") not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert outcome(client.get(URL)) == "login"
    assert outcome(client.post(URL, batch_data([]))) == "login"

"""Renewal reminders: 30 and 7 days before, each at most once."""

import datetime

import pytest
from django.core import mail

from members.models import Membership, MembershipPlan, Supporter
from members.reminders import membership_reminders_queue
from ouendan.core.models import OutgoingEmail

TODAY = datetime.date(2026, 5, 1)


@pytest.fixture
def plan(db):
    return MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)


def member(plan, n, *, days, language="ja", email=True, status="active", supporter_status="active"):
    supporter = Supporter.objects.create(
        family_name=f"田中{n}",
        given_name="優子",
        email=f"m{n}@example.jp" if email else "",
        status=supporter_status,
        preferred_language=language,
    )
    return Membership.objects.create(
        supporter=supporter,
        plan=plan,
        amount_yen=3000,
        status=status,
        renews_on=TODAY + datetime.timedelta(days=days),
    )


@pytest.mark.django_db
def test_reminders_30_and_7_days_before_once_only(plan, django_capture_on_commit_callbacks):
    in_30 = member(plan, 1, days=30)
    in_7 = member(plan, 2, days=7, language="en")
    member(plan, 3, days=8)
    member(plan, 4, days=30, email=False)
    member(plan, 5, days=7, status=Membership.Status.LAPSED)
    member(plan, 6, days=7, status=Membership.Status.CANCELLED)
    member(plan, 7, days=30, supporter_status=Supporter.Status.DELETION_REQUESTED)

    with django_capture_on_commit_callbacks(execute=True):
        assert membership_reminders_queue(today=TODAY) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert membership_reminders_queue(today=TODAY) == 0  # the task ran twice: nothing new
    keys = set(OutgoingEmail.objects.values_list("key", flat=True))
    assert keys == {
        f"renewal-reminder:30:{in_30.pk}:{in_30.renews_on.isoformat()}",
        f"renewal-reminder:7:{in_7.pk}:{in_7.renews_on.isoformat()}",
    }
    assert len(mail.outbox) == 2  # huey runs immediately in tests: sent once each
    japanese = OutgoingEmail.objects.get(to="m1@example.jp")
    english = OutgoingEmail.objects.get(to="m2@example.jp")
    assert "30" in japanese.subject
    assert "田中1" in japanese.body and "個人会員" in japanese.body
    assert "renews in 7 days" in english.subject
    assert "Dear 田中2 優子" in english.body


@pytest.mark.django_db
def test_consecutive_days_send_each_reminder_once(plan, django_capture_on_commit_callbacks):
    membership = member(plan, 1, days=30)
    with django_capture_on_commit_callbacks(execute=True):
        sent = [
            membership_reminders_queue(today=TODAY + datetime.timedelta(days=offset))
            for offset in range(0, 31)
        ]
    assert sent[0] == 1 and sent[23] == 1  # 30 days before, then 7 days before
    assert sum(sent) == 2
    with django_capture_on_commit_callbacks(execute=True):
        for offset in range(0, 31):  # a second run of every day changes nothing
            membership_reminders_queue(today=TODAY + datetime.timedelta(days=offset))
    assert OutgoingEmail.objects.filter(supporter=membership.supporter).count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_next_period_gets_its_own_reminders(plan):
    membership = member(plan, 1, days=30)
    assert membership_reminders_queue(today=TODAY) == 1
    membership.renews_on = membership.renews_on.replace(year=membership.renews_on.year + 1)
    membership.save()
    next_year = TODAY.replace(year=TODAY.year + 1)
    assert membership_reminders_queue(today=next_year) == 1
    assert OutgoingEmail.objects.count() == 2


@pytest.mark.django_db
def test_periodic_tasks_call_the_services(plan):
    from django.utils import timezone

    from members import tasks

    today = timezone.localdate()
    renewing = member(plan, 1, days=0)
    renewing.renews_on = today + datetime.timedelta(days=7)
    renewing.save()
    overdue = member(plan, 2, days=0)
    overdue.renews_on = today - datetime.timedelta(days=1)
    overdue.save()

    tasks.membership_reminders_daily.call_local()
    tasks.membership_reminders_daily.call_local()
    tasks.membership_lapse_daily.call_local()

    assert OutgoingEmail.objects.filter(supporter=renewing.supporter).count() == 1
    overdue.refresh_from_db()
    assert overdue.status == Membership.Status.LAPSED

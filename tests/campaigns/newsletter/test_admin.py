"""The send screen: the audience count first, a test to oneself, then send or schedule; the
mailing's report with its progress endpoint."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from campaigns.newsletter.models import Mailing
from members.groups import EDITORS, FINANCE

from .factories import everyone, issue, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user(
        "hanako", password="pw", email="hanako@example.jp", first_name="花子", last_name="編集"
    )
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


def test_count_test_send_and_schedule(client, editor, home_page, settings):
    settings.NEWSLETTER_MAILS_PER_SECOND = 10_000
    subscriber()
    subscriber()
    page = issue(home_page)
    segment = everyone()
    url = f"/admin/mailings/send/{page.pk}/"
    response = client.post(url, {"segment": segment.pk, "when": "now", "action": "count"})
    assert response.context["count"] == 2
    client.post(url, {"segment": segment.pk, "when": "now", "action": "test"})
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    later = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "segment": segment.pk,
            "when": "later",
            "send_at_0": later.strftime("%Y-%m-%d"),
            "send_at_1": later.strftime("%H:%M"),
            "send_at": later.strftime("%Y-%m-%d %H:%M"),
            "action": "send",
            "confirm": "1",
            "expected_count": "2",
        },
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302, response.context["form"].errors
    assert mailing.status == Mailing.Status.SCHEDULED
    assert mailing.send_at > timezone.now()
    report = client.get(f"/admin/mailings/{mailing.pk}/")
    assert report.status_code == 200
    progress = client.get(f"/admin/mailings/{mailing.pk}/progress/").json()
    assert progress["counts"]["sent"] == 0 and progress["finished"] is False


def test_finance_may_not_send(client, django_user_model, home_page):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    page = issue(home_page)
    assert client.get(f"/admin/mailings/send/{page.pk}/").status_code in (302, 403)

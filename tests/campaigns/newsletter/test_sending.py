"""Scheduling, freezing, sending once per recipient, personalisation, both parts, headers."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Locale

from campaigns.newsletter.models import Mailing, MailingRecipient
from campaigns.newsletter.services import (
    mailing_schedule,
    mailing_send_batch,
    mailing_start,
    mailing_test_send,
)
from campaigns.newsletter.tasks import mailing_sweep
from members.models import ConsentRecord
from members.services import consent_record

from .factories import everyone, issue, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast(settings):
    settings.NEWSLETTER_MAILS_PER_SECOND = 10_000
    settings.PUBLIC_BASE_URL = "https://ouendan.example.jp"


def test_send_now_reaches_each_subscriber_once_personalised(
    home_page, django_capture_on_commit_callbacks
):
    hanako = subscriber(family_name="佐藤", given_name="花子")
    subscriber(family_name="田中", given_name="一郎")
    page = issue(home_page)
    with django_capture_on_commit_callbacks(execute=True):
        mailing = mailing_schedule(page=page, segment=everyone())
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing.recipients_total == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        MailingRecipient.objects.values_list("email", flat=True)
    )
    message = next(m for m in mail.outbox if m.to == [hanako.email])
    assert message.subject.startswith("佐藤 花子さん、第")
    assert "佐藤 花子 様" in message.body  # the plain-text part
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    assert "佐藤 花子さん" in html and "{name}" not in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://ouendan.example.jp/newsletter/unsubscribe/")
    assert "<mailto:" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe.split(">")[0].lstrip("<")
    assert link in message.body and link in html
    # Running the batch again (a duplicated task) sends nothing more.
    assert mailing_send_batch(mailing_id=mailing.pk) == 0
    assert len(mail.outbox) == 2


def test_the_list_is_frozen_at_the_start_and_withdrawals_still_stop_a_mail(home_page):
    first = subscriber()
    second = subscriber()
    page = issue(home_page)
    mailing = Mailing.objects.create(page=page, segment=everyone())
    assert mailing_start(mailing_id=mailing.pk)
    assert not mailing_start(mailing_id=mailing.pk)  # started once
    subscriber()  # joined after the freeze: not in this mailing
    consent_record(
        supporter=second,
        kind=ConsentRecord.Kind.NEWSLETTER,
        granted=False,
        source=ConsentRecord.Source.PORTAL,
    )
    assert mailing_send_batch(mailing_id=mailing.pk) == 0
    assert [m.to for m in mail.outbox] == [[first.email]]
    statuses = dict(MailingRecipient.objects.values_list("supporter_id", "status"))
    assert statuses == {first.pk: "sent", second.pk: "skipped"}


def test_a_row_left_sending_is_never_sent_again_and_the_sweeper_finishes(home_page):
    people = [subscriber() for _n in range(3)]
    mailing = Mailing.objects.create(page=issue(home_page), segment=everyone())
    mailing_start(mailing_id=mailing.pk)
    # A worker claimed the first row, then died before sending.
    MailingRecipient.objects.filter(supporter=people[0]).update(status="sending")
    Mailing.objects.filter(pk=mailing.pk).update(
        touched_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    mailing_sweep.call_local()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[1:])
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_small_batches_and_a_scheduled_mailing_starts_at_its_time(
    home_page, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_BATCH_SIZE = 2
    for _n in range(5):
        subscriber()
    later = timezone.now() + datetime.timedelta(hours=1)
    mailing = mailing_schedule(page=issue(home_page), segment=everyone(), send_at=later)
    mailing_sweep.call_local()
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SCHEDULED
    Mailing.objects.filter(pk=mailing.pk).update(send_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        mailing_sweep.call_local()  # starts it; the batches chain (huey immediate in tests)
    assert len(mail.outbox) == 5
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_only_a_published_issue_without_review_in_progress_is_sent(home_page):
    page = issue(home_page)
    page.unpublish()
    with pytest.raises(ValidationError):
        mailing_schedule(page=page, segment=everyone())


def test_english_readers_get_the_translation_else_japanese(home_page):
    english = subscriber(preferred_language="en")
    page = issue(home_page, title="第1号", greeting="{name} 様")
    mailing = Mailing.objects.create(page=page, segment=everyone())
    mailing_start(mailing_id=mailing.pk)
    mailing_send_batch(mailing_id=mailing.pk)
    assert mail.outbox[0].subject == "第1号"  # no English issue: Japanese
    locale = Locale.objects.get_or_create(language_code="en")[0]
    translated = page.copy_for_translation(locale, copy_parents=True)
    translated.title = "Issue 1"
    translated.greeting = "Dear {name},"
    translated.save_revision().publish()
    mail.outbox.clear()
    second = Mailing.objects.create(page=page, segment=everyone(name="b"))
    mailing_start(mailing_id=second.pk)
    mailing_send_batch(mailing_id=second.pk)
    assert mail.outbox[0].subject == "Issue 1"
    assert f"Dear {english.display_name}," in mail.outbox[0].body
    assert "/en/newsletter/unsubscribe/" in mail.outbox[0].extra_headers["List-Unsubscribe"]


def test_test_send_goes_to_the_editor_only(home_page, django_user_model):
    subscriber()
    editor = django_user_model.objects.create_user(
        "editor", email="editor@example.jp", first_name="桜", last_name="編集"
    )
    address = mailing_test_send(page=issue(home_page), user=editor, language="ja")
    assert address == "editor@example.jp"
    assert [m.to for m in mail.outbox] == [["editor@example.jp"]]
    assert mail.outbox[0].subject.startswith("[")
    assert "編集 桜 様" in mail.outbox[0].body
    assert not MailingRecipient.objects.exists()

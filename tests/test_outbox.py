"""The e-mail outbox: queued once per key, sent at most once, swept up after a lost task."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from home.mail import MAX_ATTEMPTS, email_queue, outgoing_email_pending_ids, outgoing_email_send
from home.models import OutgoingEmail
from home.tasks import outgoing_email_deliver, outgoing_email_sweep


def queue(key="thanks:1", **overrides):
    fields = {"key": key, "to": "hana@example.jp", "subject": "ありがとう", "body": "本文"}
    return email_queue(**{**fields, **overrides})


@pytest.mark.django_db
def test_queued_mail_is_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message, created = queue()
    assert created and message.status == OutgoingEmail.Status.PENDING
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.sent_at
    assert [m.subject for m in mail.outbox] == ["ありがとう"]


@pytest.mark.django_db
def test_the_same_key_is_queued_and_sent_only_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = queue()
        again, created_again = queue(subject="別の件名")
    assert created_first and not created_again and again.pk == first.pk
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sending_twice_sends_once():
    message = OutgoingEmail.objects.create(key="k", to="a@example.jp", subject="s", body="b")
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.SENT
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failures_are_recorded_retried_and_finally_given_up(monkeypatch):
    def refuse(self):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    message = OutgoingEmail.objects.create(key="k", to="a@example.jp", subject="s", body="b")

    with pytest.raises(RuntimeError):  # the task raises so huey retries it
        outgoing_email_deliver.call_local(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert "smtp down" in message.last_error

    for _ in range(MAX_ATTEMPTS - 1):
        outgoing_email_send(email_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.FAILED, MAX_ATTEMPTS)


@pytest.mark.django_db
def test_sweeper_resends_mail_whose_task_was_lost():
    stale = OutgoingEmail.objects.create(key="stale", to="a@example.jp", subject="s", body="b")
    fresh = OutgoingEmail.objects.create(key="fresh", to="b@example.jp", subject="s", body="b")
    OutgoingEmail.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert outgoing_email_pending_ids() == [stale.pk]

    outgoing_email_sweep.call_local()

    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    fresh.refresh_from_db()
    assert fresh.status == OutgoingEmail.Status.PENDING


def run_concurrently(target, count=10):
    barrier = threading.Barrier(count)
    errors = []

    def worker():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


# serialized_rollback: an earlier transactional test's flush also emptied content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_queue_and_send_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent inserts are checked on PostgreSQL")
    run_concurrently(lambda: email_queue(key="race", to="a@example.jp", subject="s", body="b"))
    assert OutgoingEmail.objects.filter(key="race").count() == 1

    message = OutgoingEmail.objects.create(
        key="send-race", to="b@example.jp", subject="s", body="b"
    )
    run_concurrently(lambda: outgoing_email_send(email_id=message.pk))
    assert len([m for m in mail.outbox if m.to == ["b@example.jp"]]) == 1
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1

"""kill -9 of the huey worker in the middle of a mailing: after a restart and the sweeper,
every recipient got the issue at most once, and the only ones missing are rows left "being
sent" (claimed, then the worker died): at most one per kill. The worker, its file-backed queue
and slow mail backend are the ones of tests/test_side_effects_kill.py."""

import signal
import time

import pytest

from campaigns.newsletter.models import Mailing, MailingRecipient
from tests import test_side_effects_kill as kill
from tests.test_side_effects_kill import mails_by_recipient, manage, wait_for

from .factories import everyone, issue, subscriber

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
worker_env = kill.worker_env  # the fixture: settings, slow mail backend, file-backed queue

RECIPIENTS = 100

START = "from campaigns.newsletter.tasks import mailing_start_task; mailing_start_task({id})"
SWEEP_UNTIL_DONE = """
import datetime, sys, time
from django.utils import timezone
from campaigns.newsletter.models import Mailing
from campaigns.newsletter.tasks import mailing_sweep

deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    Mailing.objects.filter(status="sending").update(
        touched_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    mailing_sweep.call_local()  # queues a batch for the restarted worker
    time.sleep(1)
    if Mailing.objects.filter(pk={id}, status="sent").exists():
        sys.exit(0)
sys.exit(1)
"""


def test_kill_9_mid_mailing_doubles_no_mail(worker_env, home_page):
    env, mails, folder = worker_env
    env = {**env, "NEWSLETTER_BATCH_SIZE": "10", "NEWSLETTER_MAILS_PER_SECOND": "15"}
    people = [subscriber() for _n in range(RECIPIENTS)]
    mailing = Mailing.objects.create(page=issue(home_page), segment=everyone())
    log = folder / "worker.log"
    worker = manage(env, "run_huey", log=log)
    try:
        started = "Huey consumer started"
        wait_for(lambda: started in log.read_text(errors="replace"), timeout=300, what=started)
        assert manage(env, "shell", "-c", START.format(id=mailing.pk)).wait(timeout=120) == 0
        wait_for(lambda: len(mails_by_recipient(mails)) >= 5, timeout=300, what="mails", log=log)
        sending = MailingRecipient.objects.filter(status=MailingRecipient.Status.SENDING)
        deadline = time.monotonic() + 0.5
        while not sending.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert 5 <= sum(mails_by_recipient(mails).values()) < RECIPIENTS

    worker = manage(env, "run_huey", log=log)
    sweeper = manage(env, "shell", "-c", SWEEP_UNTIL_DONE.format(id=mailing.pk), log=log)
    try:
        assert sweeper.wait(timeout=330) == 0, log.read_text(errors="replace")[-3000:]
    finally:
        for process in (worker, sweeper):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    received = mails_by_recipient(mails)
    assert max(received.values()) == 1  # nobody twice
    rows = dict(MailingRecipient.objects.values_list("email", "status"))
    missing = {person.email for person in people} - set(received)
    assert all(rows[email] == MailingRecipient.Status.SENDING for email in missing)
    assert len(missing) <= 1  # one batch at a time: at most the one being sent at the kill
    # Sent mails are SENT, or still "being sent" when the kill came before they were marked.
    assert {rows[email] for email in received} <= {"sent", "sending"}

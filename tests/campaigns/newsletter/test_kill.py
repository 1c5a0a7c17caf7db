"""kill -9 of the huey worker in the middle of a mailing: after a restart and the sweeper,
every recipient got the issue at most once, and the only ones missing are rows left "being
sent" (claimed, then the worker died): at most one per kill. The worker, its file-backed queue
and slow mail backend are the ones of tests/test_side_effects_kill.py; the backend holds the
16th mail mid-send (mid-batch: 10 a batch) until the kill."""

import pytest

from campaigns.newsletter.models import Mailing, MailingRecipient
from tests import test_side_effects_kill as kill
from tests.test_side_effects_kill import mails_by_recipient, wait_for

from .factories import everyone, issue, subscriber

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
worker_env = kill.worker_env  # the fixture: settings, slow mail backend, file-backed queue

RECIPIENTS = 40
HOLD_AFTER = 15

# Once the worker is up (the test creates "go", holding the mailing's id), start the mailing;
# once the worker is back (the test creates "restarted"), the sweeper as its crontab runs it,
# with the mailing aged past its stall time. A sweep whenever the queue is empty, at most twice
# a second: every sweep of a mailing still sending queues one more batch task.
DRIVER = """
import datetime, sys, time
from pathlib import Path
from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from campaigns.newsletter.models import Mailing
from campaigns.newsletter.tasks import mailing_start_task, mailing_sweep

folder = Path(settings.EMAIL_FILE_PATH).parent
deadline = time.monotonic() + 300  # a bound for a busy machine, not an expected duration
while not (folder / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.02)
mailing_id = int((folder / "go").read_text())
mailing_start_task(mailing_id)
while not (folder / "restarted").exists() and time.monotonic() < deadline:
    time.sleep(0.02)
swept = 0.0
while time.monotonic() < deadline:
    if Mailing.objects.filter(pk=mailing_id, status="sent").exists():
        sys.exit(0)
    if HUEY.pending_count() == 0 and time.monotonic() - swept > 0.5:
        swept = time.monotonic()
        Mailing.objects.filter(status="sending").update(
            touched_at=timezone.now() - datetime.timedelta(minutes=10)
        )
        mailing_sweep.call_local()  # queues a batch for the restarted worker
    time.sleep(0.05)
sys.exit(1)
"""


def test_kill_9_mid_mailing_doubles_no_mail(worker_env, home_page):
    env, mails, folder = worker_env
    env = {
        **env,
        "NEWSLETTER_BATCH_SIZE": "10",
        # The slow backend sets the pace (about 20 a second); the kill no longer needs a slow rate.
        "NEWSLETTER_MAILS_PER_SECOND": "50",
        "KILL_TEST_HOLD_AFTER": str(HOLD_AFTER),
    }
    log = folder / "worker.log"
    # The processes start up while this one makes the recipients (two cores: in parallel).
    forker = kill.processes_start(env, folder, DRIVER)
    try:
        people = [subscriber() for _n in range(RECIPIENTS)]
        mailing = Mailing.objects.create(page=issue(home_page), segment=everyone())
        wait_for(lambda: kill.worker_started(log), timeout=300, what="the worker", log=log)
        (folder / "go.part").write_text(str(mailing.pk))
        (folder / "go.part").rename(folder / "go")
        wait_for(lambda: (folder / "holding").exists(), timeout=300, what="a held mail", log=log)
        # The kill lands while a mail is being sent: claimed, not delivered.
        sending = MailingRecipient.objects.filter(status=MailingRecipient.Status.SENDING)
        assert sending.exists()
        kill.kill_9(folder, "worker")
        assert HOLD_AFTER <= sum(mails_by_recipient(mails).values()) < RECIPIENTS

        (folder / "restarted").touch()
        kill.driver_done(folder, timeout=330, what="the sweeper")
        kill.stop(folder, "worker-2")  # a batch still under way finishes
    finally:
        kill.processes_end(forker)

    received = mails_by_recipient(mails)
    assert max(received.values()) == 1  # nobody twice
    rows = dict(MailingRecipient.objects.values_list("email", "status"))
    missing = {person.email for person in people} - set(received)
    assert all(rows[email] == MailingRecipient.Status.SENDING for email in missing)
    assert len(missing) == 1  # one batch at a time: the one held at the kill, no other
    # Sent mails are SENT, or still "being sent" when the kill came before they were marked.
    assert {rows[email] for email in received} <= {"sent", "sending"}

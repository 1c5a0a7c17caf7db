"""kill -9 of the huey worker in the middle of a batch of gifts: nothing is lost silently and
nobody is mailed twice.

A real consumer (`manage.py run_huey`) works through the side effects of 200 recorded gifts on a
file-backed queue and database shared with this test; its mail backend takes a little time per
message and writes one file per mail, so mails can be counted. The worker is killed with SIGKILL
once some mails are out and others are not, restarted, and the sweepers run (as their crontab
would, with the rows aged past their grace period). Then every gift has had its side effects,
each donor is thanked exactly once, no mail went out twice, and the only mails that may be
missing are those left "being sent", which the outbox screen shows as such.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from campaigns.models import ThankYouLog
from donations.models import Donation
from ouendan.core.models import OutgoingEmail

pytestmark = [
    # The worker and this test share committed data: a real transaction per write.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GIFTS = 200
MAIL_DELAY = 0.05  # seconds per mail: an SMTP conversation, long enough for the kill to land

SETTINGS = """
from ouendan.settings.test import *  # noqa
from ouendan.settings.base import huey_settings

DATABASES = {{"default": {database!r}}}
HUEY = huey_settings(redis_url="", sqlite_path={queue!r}, immediate=False)
# Periodic tasks off: the test runs the sweepers itself, on rows aged past their grace period.
HUEY["consumer"] = {{
    "workers": 4, "worker_type": "thread", "periodic": False,
    "initial_delay": 0.05, "backoff": 1.1, "max_delay": 0.2,  # poll an idle queue quickly
}}
EMAIL_BACKEND = "kill_mail.SlowFileBackend"
EMAIL_FILE_PATH = {mails!r}
KILL_TEST_MAIL_DELAY = {delay!r}
LOGGING = {{"version": 1, "disable_existing_loggers": False,
           "handlers": {{"console": {{"class": "logging.StreamHandler"}}}},
           "root": {{"handlers": ["console"], "level": "WARNING"}}}}
"""

MAIL_BACKEND = '''
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    """One file per delivered mail, named after its recipient; written whole or not at all."""

    def send_messages(self, messages):
        for message in messages:
            time.sleep(settings.KILL_TEST_MAIL_DELAY)
            folder = Path(settings.EMAIL_FILE_PATH)
            part = folder / f"{uuid.uuid4().hex}.part"
            part.write_bytes(message.message().as_bytes())
            part.rename(folder / f"{message.to[0]}--{uuid.uuid4().hex}.eml")
        return len(messages)
'''

# Once the worker is up (the test creates the file "go"), gifts arrive while it works.
RECORD_GIFTS = f"""
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from donations.models import Donation
from donations.services import donation_record
from members.models import Supporter

go = Path(settings.EMAIL_FILE_PATH).parent / "go"
while not go.exists():
    time.sleep(0.02)
now = timezone.now()
for n in range({GIFTS}):
    with transaction.atomic():  # one gift per transaction, as webhooks record them
        supporter = Supporter.objects.create(
            family_name="寄付", given_name=f"者{{n}}", family_name_kana="キフ",
            given_name_kana="シャ", email=f"donor-{{n}}@example.jp", status="active",
        )
        donation_record(
            supporter=supporter, kind=Donation.Kind.ONE_OFF, method=Donation.Method.CARD,
            amount_yen=1000 + n, paid_at=now,
        )
"""

# Then, once the worker is back (the test creates the file "restarted"), the sweepers as their
# crontab runs them, every half second instead of every 5 minutes, with the rows still waiting
# aged past the grace period (as if that time had passed). One process: fewer Django start-ups.
SWEEP_UNTIL_DONE = """
import datetime
import sys
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from donations.effects import donation_effects_sweep
from donations.models import Donation
from ouendan.core.models import OutgoingEmail
from ouendan.core.tasks import outgoing_email_sweep

restarted = Path(settings.EMAIL_FILE_PATH).parent / "restarted"
deadline = time.monotonic() + 600  # a bound for a busy machine, not an expected duration
while not restarted.exists() and time.monotonic() < deadline:
    time.sleep(0.05)
while time.monotonic() < deadline:
    past = timezone.now() - datetime.timedelta(minutes=10)
    Donation.objects.filter(effects_done_at__isnull=True).update(created_at=past)
    OutgoingEmail.objects.filter(status="pending").update(created_at=past)
    donation_effects_sweep.call_local()
    outgoing_email_sweep.call_local()
    time.sleep(0.5)
    undone = Donation.objects.filter(effects_done_at__isnull=True).exists()
    if not undone and not OutgoingEmail.objects.filter(status="pending").exists():
        sys.exit(0)
sys.exit(1)
"""


def database_settings() -> dict:
    """The test database as this process uses it (a file for SQLite, the test database on
    PostgreSQL), for the worker to share."""
    own = connection.settings_dict
    keys = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    shared = {key: (str(own[key]) if key == "NAME" else own[key]) for key in keys if key in own}
    if connection.vendor == "sqlite":
        # No fsync per commit: a killed process loses nothing the OS already has (only a power
        # cut would), and thousands of fsyncs would make the test minutes long on slow disks.
        # A generous busy timeout: on a loaded machine the worker's writers can hold the
        # database longer than SQLite's default 5 s, which would fail the producer, not the rule.
        shared["OPTIONS"] = {
            **shared.get("OPTIONS", {}),
            "init_command": "PRAGMA synchronous=OFF",
            "timeout": 120,
        }
    return shared


def wait_for(predicate, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    details = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{details}")


def mails_by_recipient(folder: Path) -> Counter:
    return Counter(path.name.split("--")[0] for path in folder.glob("*.eml"))


@pytest.fixture
def worker_env(tmp_path):
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith(
        ("file:", ":memory:")
    ):
        pytest.fail("the worker needs a file-backed test database")  # never skip silently
    mails = tmp_path / "mails"
    mails.mkdir()
    (tmp_path / "kill_settings.py").write_text(
        SETTINGS.format(
            database=database_settings(),
            queue=str(tmp_path / "huey.sqlite3"),
            mails=str(mails),
            delay=MAIL_DELAY,
        )
    )
    (tmp_path / "kill_mail.py").write_text(MAIL_BACKEND)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kill_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }
    return env, mails, tmp_path


def manage(env, *args, log: Path | None = None) -> subprocess.Popen:
    output = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def test_kill_9_of_the_worker_loses_no_side_effect_and_doubles_no_mail(worker_env, client):
    env, mails, folder = worker_env
    log = folder / "worker.log"

    # 200 gifts recorded the way webhooks record them, while the worker thanks the donors.
    worker = manage(env, "run_huey", log=log)
    producer_log = folder / "producer.log"
    producer = manage(env, "shell", "-c", RECORD_GIFTS + SWEEP_UNTIL_DONE, log=producer_log)
    try:
        started = "Huey consumer started"
        wait_for(
            lambda: started in log.read_text(errors="replace"), timeout=300, what=started, log=log
        )
        (folder / "go").touch()
        wait_for(lambda: len(mails_by_recipient(mails)) >= 10, timeout=300, what="mails", log=log)
        # Preferably while a mail is being sent (the worst moment); kill anyway soon after.
        sending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING)
        deadline = time.monotonic() + 0.5
        while not sending.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    except BaseException:
        producer.kill()
        raise
    finally:
        if worker.poll() is None:
            worker.kill()
    # The kill landed mid-batch: some donors were mailed, others not yet.
    assert 10 <= sum(mails_by_recipient(mails).values()) < GIFTS

    worker = manage(env, "run_huey", log=log)
    (folder / "restarted").touch()
    try:
        assert producer.wait(timeout=660) == 0, (
            producer_log.read_text(errors="replace")[-3000:]
            + "\n--- worker ---\n"
            + log.read_text(errors="replace")[-2000:]
        )
        # The last deliveries queued by the sweep: wait until no mail is still on its way.
        wait_for(
            lambda: not OutgoingEmail.objects.filter(status="pending").exists(),
            timeout=300,
            what="the outbox to drain",
            log=log,
        )
    finally:
        for process in (worker, producer):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    # Every gift had all its side effects, and was thanked exactly once.
    donations = list(Donation.objects.values_list("pk", "effects_done_at"))
    assert len(donations) == GIFTS and all(done for _pk, done in donations)
    logs = Counter(
        ThankYouLog.objects.filter(object_key__startswith="donation:").values_list(
            "object_key", flat=True
        )
    )
    assert logs == Counter({f"donation:{pk}": 1 for pk, _done in donations})

    # No mail went out twice; a mail may be missing only if its row is left "being sent".
    delivered = mails_by_recipient(mails)
    assert max(delivered.values()) == 1, [to for to, n in delivered.items() if n > 1]
    rows = dict(OutgoingEmail.objects.values_list("to", "status"))
    assert len(rows) == GIFTS
    assert set(rows.values()) <= {OutgoingEmail.Status.SENT, OutgoingEmail.Status.SENDING}
    missing = {to for to in rows if to not in delivered}
    being_sent = {to for to, status in rows.items() if status == OutgoingEmail.Status.SENDING}
    assert missing <= being_sent
    assert all(delivered[to] == 1 for to, status in rows.items() if status == "sent")

    # Those are the ones staff see as "being sent (unconfirmed)", with "Send again".
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("kill-admin", "a@example.jp", "pw")
    client.force_login(admin)
    listing = client.get("/admin/outgoing_emails/", {"status": "sending"}).content.decode()
    for to in being_sent:
        assert to in listing
    for to in set(rows) - being_sent:
        assert f">{to}<" not in listing

"""kill -9 of the huey worker in the middle of a batch of gifts: nothing is lost silently and
nobody is mailed twice.

A real consumer (Django's `run_huey` command) works through the side effects of 60 recorded
gifts on a file-backed queue and database shared with this test; its mail backend takes a little
time per message and writes one file per mail, so mails can be counted. Once 10 mails are out,
the backend holds the next one in the middle of its send (the worst moment) while the worker's
other threads go on, and the worker is killed with SIGKILL; then it is restarted and the
sweepers run (as their crontab would, with the rows aged past their grace period). Then every
gift has had its side effects, each donor is thanked exactly once, no mail went out twice, and
the only mails missing are those left "being sent" (the held one at least), which the outbox
screen shows as such.

The workers (the killed one and its restart) and the process recording the gifts are forked
from one process that set Django up once: each start-up costs seconds of CPU, and three of them
were most of the test's time on a busy machine.
"""

import contextlib
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

GIFTS = 60
HOLD_AFTER = 10  # mails out before the backend holds one mid-send for the kill
MAIL_DELAY = 0.05  # seconds per mail: an SMTP conversation

SETTINGS = """
import os

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
KILL_TEST_HOLD_AFTER = int(os.environ.get("KILL_TEST_HOLD_AFTER", {hold!r}))
LOGGING = {{"version": 1, "disable_existing_loggers": False,
           "handlers": {{"console": {{"class": "logging.StreamHandler"}}}},
           "root": {{"handlers": ["console"], "level": "WARNING"}}}}
"""

MAIL_BACKEND = '''
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


def hold_for_the_kill(folder):
    """Before the restart, once enough mails are out, the first thread to get here stays in its
    send (the mail claimed, not delivered) until the worker is killed, so the kill lands
    mid-send however fast or slow the machine is. The other threads go on."""
    restarted = folder.parent / "restarted"
    if restarted.exists() or len(list(folder.glob("*.eml"))) < settings.KILL_TEST_HOLD_AFTER:
        return
    try:
        os.close(os.open(folder.parent / "holding", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return  # another thread holds
    deadline = time.monotonic() + 600  # a bound if the kill never comes (the test then fails)
    while not restarted.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


class SlowFileBackend(BaseEmailBackend):
    """One file per delivered mail, named after its recipient; written whole or not at all."""

    def send_messages(self, messages):
        for message in messages:
            folder = Path(settings.EMAIL_FILE_PATH)
            hold_for_the_kill(folder)
            time.sleep(settings.KILL_TEST_MAIL_DELAY)
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
# crontab runs them, with the rows still waiting aged past the grace period (as if that time had
# passed). The first sweep comes at once, while the rows' own tasks are still queued: every task
# then runs twice, which must not thank or mail twice. After it, a sweep whenever the queue is
# empty (the worker has taken every task), not on a clock: a sweep every half second queued the
# same tasks again and again, and the restarted worker spent most of the test on those repeats.
SWEEP_UNTIL_DONE = """
import datetime
import sys
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from donations.effects import donation_effects_sweep
from donations.models import Donation
from huey.contrib.djhuey import HUEY
from ouendan.core.models import OutgoingEmail
from ouendan.core.tasks import outgoing_email_sweep

restarted = Path(settings.EMAIL_FILE_PATH).parent / "restarted"
deadline = time.monotonic() + 600  # a bound for a busy machine, not an expected duration
while not restarted.exists() and time.monotonic() < deadline:
    time.sleep(0.02)
first = True
while time.monotonic() < deadline:
    undone = Donation.objects.filter(effects_done_at__isnull=True).exists()
    if not undone and not OutgoingEmail.objects.filter(status="pending").exists():
        sys.exit(0)
    if first or HUEY.pending_count() == 0:
        first = False
        past = timezone.now() - datetime.timedelta(minutes=10)
        Donation.objects.filter(effects_done_at__isnull=True).update(created_at=past)
        OutgoingEmail.objects.filter(status="pending").update(created_at=past)
        donation_effects_sweep.call_local()
        outgoing_email_sweep.call_local()
    time.sleep(0.1)
sys.exit(1)
"""

# One process sets Django up once and forks the others: the worker at once, and again when the
# test creates "restarted" (after the kill); and the driver, the test's code in driver.py (record
# gifts or start a mailing, then sweep). Each child's pid, and its exit code once reaped, are
# written to files (<name>.pid, <name>.exit) for the test.
FORKER = """
import os
import sys
import time
import traceback
from pathlib import Path

import django

django.setup()

from django.core.management import call_command
from django.db import connections
from django.utils.module_loading import autodiscover_modules

folder = Path(sys.argv[1])
autodiscover_modules("tasks")  # what run_huey imports first, done once for every child
driver = compile((folder / "driver.py").read_text(), "driver.py", "exec")
parent = os.getppid()
names = {}


def note(name, suffix, value):
    part = folder / f"{name}.{suffix}.part"
    part.write_text(str(value))
    part.rename(folder / f"{name}.{suffix}")  # whole or not at all for the test's reads


def child(name, log, run):
    connections.close_all()  # a connection must never be shared with a child
    pid = os.fork()
    if pid:
        names[pid] = name
        note(name, "pid", pid)
        return
    code = 1
    try:
        output = os.open(folder / log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(output, 1)
        os.dup2(output, 2)
        run()
        code = 0
    except SystemExit as exit:
        code = exit.code or 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


child("worker", "worker.log", lambda: call_command("run_huey"))
child("driver", "driver.log", lambda: exec(driver, {"__name__": "driver"}))
restarted = False
deadline = time.monotonic() + 900  # a bound if nobody ends this process group
while time.monotonic() < deadline and os.getppid() == parent:  # ends if pytest dies
    if not restarted and (folder / "restarted").exists():
        restarted = True
        child("worker-2", "worker.log", lambda: call_command("run_huey"))
    pid, status = os.waitpid(-1, os.WNOHANG)
    if pid:
        note(names[pid], "exit", os.waitstatus_to_exitcode(status))
    time.sleep(0.01)
os.killpg(0, 9)
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
            hold=HOLD_AFTER,
        )
    )
    (tmp_path / "kill_mail.py").write_text(MAIL_BACKEND)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kill_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }
    return env, mails, tmp_path


def processes_start(env, folder: Path, driver: str) -> subprocess.Popen:
    """The forking process (FORKER) in a process group of its own, which processes_end ends
    whatever happened. It forks the worker and the driver (the code `driver`) at once."""
    (folder / "driver.py").write_text(driver)
    return subprocess.Popen(
        [sys.executable, "-c", FORKER, str(folder)],
        cwd=settings.BASE_DIR,  # the project's apps are imported from here, as by manage.py
        env=env,
        stdout=(folder / "forker.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def processes_end(forker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(forker.pid, signal.SIGKILL)
    forker.wait(timeout=10)


def exit_code(folder: Path, name: str) -> int | None:
    path = folder / f"{name}.exit"
    return int(path.read_text()) if path.exists() else None


def worker_started(log: Path) -> bool:
    return log.exists() and "Huey consumer started" in log.read_text(errors="replace")


def driver_done(folder: Path, *, timeout: float, what: str) -> None:
    """Wait for the driver to end; it must end well (if not: its log and the worker's)."""
    driver_log = folder / "driver.log"
    wait_for(
        lambda: exit_code(folder, "driver") is not None, timeout=timeout, what=what, log=driver_log
    )
    assert exit_code(folder, "driver") == 0, (
        driver_log.read_text(errors="replace")[-3000:]
        + "\n--- worker ---\n"
        + (folder / "worker.log").read_text(errors="replace")[-3000:]
    )


def kill_9(folder: Path, name: str) -> None:
    """SIGKILL the forked process `name` and wait until it is gone."""
    log = folder / "forker.log"
    wait_for(lambda: (folder / f"{name}.pid").exists(), timeout=60, what=f"{name}.pid", log=log)
    os.kill(int((folder / f"{name}.pid").read_text()), signal.SIGKILL)
    wait_for(lambda: exit_code(folder, name) is not None, timeout=60, what=name, log=log)
    assert exit_code(folder, name) == -signal.SIGKILL


def stop(folder: Path, name: str) -> None:
    """Stop the forked worker `name` as a deploy does (SIGINT: huey lets its threads finish
    their tasks): ending it with the test's process group could cut a send short, leaving a mail
    "being sent" that the kill did not."""
    log = folder / "worker.log"
    os.kill(int((folder / f"{name}.pid").read_text()), signal.SIGINT)
    wait_for(lambda: exit_code(folder, name) is not None, timeout=120, what=name, log=log)
    assert exit_code(folder, name) == 0, log.read_text(errors="replace")[-3000:]


def test_kill_9_of_the_worker_loses_no_side_effect_and_doubles_no_mail(worker_env, client):
    env, mails, folder = worker_env
    log = folder / "worker.log"

    # 60 gifts recorded the way webhooks record them, while the worker thanks the donors.
    forker = processes_start(env, folder, RECORD_GIFTS + SWEEP_UNTIL_DONE)
    try:
        wait_for(lambda: worker_started(log), timeout=300, what="the worker", log=log)
        (folder / "go").touch()
        wait_for(lambda: (folder / "holding").exists(), timeout=300, what="a held mail", log=log)
        # The kill lands while a mail is being sent: claimed, not delivered.
        assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING).exists()
        kill_9(folder, "worker")
        # The kill landed mid-batch: some donors were mailed, others not yet.
        assert HOLD_AFTER <= sum(mails_by_recipient(mails).values()) < GIFTS

        (folder / "restarted").touch()
        driver_done(folder, timeout=660, what="the gifts and the sweepers")
        # The last deliveries queued by the sweep: wait until no mail is still on its way.
        wait_for(
            lambda: not OutgoingEmail.objects.filter(status="pending").exists(),
            timeout=300,
            what="the outbox to drain",
            log=log,
        )
        stop(folder, "worker-2")
    finally:
        processes_end(forker)

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
    assert missing  # the held mail at least
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

"""The demo site built once per test session and shared by the tests that read it.

`manage.py demo` takes seconds (pages, revisions, members, 18 months of gifts, goods, campaigns),
and about a dozen tests only read what it builds. Instead of building it inside every test, the
demo is built once inside an outer transaction on the default connection; each demo test then
runs in pytest-django's usual per-test transaction, which is a savepoint inside that outer one and
is rolled back at the end of the test. The demo itself is rolled back when the block of demo tests
ends (tests/conftest.py orders the demo tests next to each other, and closes the block before any
other test runs), so no other test ever sees a row of it.

If a demo test is run on its own, or the order is changed (-k, -p randomly...), the block is
simply opened again before the next demo test: slower, never wrong.

The demo's files (the hero image) stay in the session's media folder (tests/conftest.py).
"""

import io
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction

DEMO_FIXTURE = "demo_site"


def uses_demo(item) -> bool:
    """A test that reads the shared demo: it asks for demo_site and is not transactional
    (a transactional test commits and flushes, which an open transaction cannot allow)."""
    fixtures = getattr(item, "fixturenames", ())
    if DEMO_FIXTURE not in fixtures:
        return False
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return False
    marker = item.get_closest_marker("django_db")
    return not (marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))


class DemoDatabase:
    """The demo in an open outer transaction on the default database."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.builds = 0  # how often the demo was built in this session (1 when ordered well)
        self.output = ""  # what the last build printed (the login)
        self._atomic = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        if self.is_open:
            return
        with self.blocker.unblock():
            atomic = transaction.atomic(using="default")
            atomic.__enter__()
            try:
                self.output = _build()
            except BaseException:
                transaction.set_rollback(True, using="default")
                atomic.__exit__(None, None, None)
                raise
            self._atomic = atomic
            self.builds += 1

    def close(self) -> None:
        if not self.is_open:
            return
        atomic, self._atomic = self._atomic, None
        with self.blocker.unblock():
            connection = connections["default"]
            if connection.in_atomic_block:
                transaction.set_rollback(True, using="default")
                atomic.__exit__(None, None, None)


class DemoCopy:
    """The demo for live-server (transactional) tests, built once per process on SQLite.

    A live-server test commits, so it cannot share the demo's open transaction above, and
    building the demo in each such test cost seconds per test. On SQLite the first one builds
    it and keeps a copy of the whole database (SQLite's backup API, into memory) and of its
    files; the next ones put the copy back into their freshly restored test database, which is
    the same migrated database the demo was built on, in milliseconds. The test's closing flush
    then empties it as usual. PostgreSQL (CI's second run) builds the demo in each test.
    """

    def __init__(self, folder: Path):
        self.folder = folder  # the demo's media and private files, as built
        self._database = None

    def put_in_place(self) -> None:
        connection = connections["default"]
        if connection.vendor != "sqlite":
            _build()
            return
        connection.ensure_connection()
        if self._database is None:
            _build()
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            for name in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
                if Path(getattr(settings, name)).exists():
                    shutil.copytree(getattr(settings, name), self.folder / name)
            self._database = copy
            return
        self._database.backup(connection.connection)
        for name in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
            if (self.folder / name).exists():
                shutil.copytree(self.folder / name, getattr(settings, name), dirs_exist_ok=True)


def _build() -> str:
    """Build the demo; returns what it printed."""
    output = io.StringIO()
    call_command("demo", stdout=output)
    return output.getvalue()

"""The migrated test database, built once per set of migrations and copied for every session.

Migrating a new test database costs about 45 CPU-seconds (248 migrations, most of it Django's
migration-state rendering), and each xdist process used to pay it. Now the first process to need
a database builds it under a lock and keeps a copy; every other process, now and in later runs,
starts from the copy and `migrate` finds nothing to do (it still runs, with post_migrate).

The copy is keyed by the content of every migration file of every installed app (Wagtail's and
Django's included), of the project modules those migrations import (group permissions, thank-you
defaults...), the Django and Wagtail versions and the database engine, so a branch that adds or
edits a migration, or what a data migration reads, gets a database of its own, never a stale
one. post_migrate still runs on the copy, so permissions of newly registered snippets appear.
Data migrations (staff groups and their permissions, workflows, the home page and site) are in
the copy exactly as migrate made them.

- SQLite (the test database is a file per process): the copy is a file in data/test-db-cache/,
  written with SQLite's backup API and renamed into place; a process copies it to its own name.
- PostgreSQL: the copy is a template database `ouendan_tmpl_<key>`; Django creates each
  process's test database from it (`TEST["TEMPLATE"]`). Nothing ever connects to a template.

`OUENDAN_TEST_DB_CACHE=0` turns it off (every process migrates, as before).
"""

import contextlib
import fcntl
import hashlib
import importlib
import importlib.util
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import django
import wagtail
from django.apps import apps
from django.conf import settings
from django.db import connections

ENABLED = os.environ.get("OUENDAN_TEST_DB_CACHE", "1") != "0"
TEMPLATE_PREFIX = "ouendan_tmpl_"
PROJECT_IMPORT = re.compile(
    rb"^\s*(?:from|import)\s+((?:ouendan|home|members|donations|campaigns)[\w.]*)", re.MULTILINE
)


def migrations_key(engine: str) -> str:
    """A digest of everything the migrated database is made from."""
    digest = hashlib.sha256(f"{django.__version__} {wagtail.__version__} {engine}".encode())
    files = []
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        try:
            module = importlib.import_module(f"{config.name}.migrations")
        except ModuleNotFoundError:
            continue
        files += sorted(Path(module.__file__).parent.glob("*.py"))
    seen = set(files)
    for path in files:  # grows while it runs: the project modules the files import, in turn
        content = path.read_bytes()
        digest.update(f"{path.parents[1].name}/{path.parent.name}/{path.name}\0".encode())
        digest.update(content)
        for name in PROJECT_IMPORT.findall(content):
            spec = importlib.util.find_spec(name.decode())
            imported = Path(spec.origin) if spec and spec.origin else None
            if imported and imported.suffix == ".py" and imported not in seen:
                seen.add(imported)
                files.append(imported)
    return digest.hexdigest()[:20]


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        yield


def setup_from_snapshot(setup, aliases):
    """Run `setup(keepdb=...)` (pytest-django's setup_databases) starting from the snapshot
    of the migrated default database, making the snapshot first if there is none. Returns
    what setup returned."""
    connection = connections["default"]
    if not ENABLED or set(aliases) != {"default"} or len(settings.DATABASES) != 1:
        return setup(keepdb=False)
    if connection.vendor == "sqlite":
        return _sqlite(connection, setup)
    if connection.vendor == "postgresql":
        return _postgresql(connection, setup)
    return setup(keepdb=False)


# --- SQLite: a file ------------------------------------------------------------------------------


def _sqlite(connection, setup):
    test_name = connection.creation._get_test_db_name()
    if connection.creation.is_in_memory_db(test_name):
        return setup(keepdb=False)
    cache = Path(settings.DATA_DIR) / "test-db-cache"
    snapshot = cache / f"{migrations_key('sqlite')}.sqlite3"
    with _file_lock(cache / f"{snapshot.stem}.lock"):
        if snapshot.exists():
            Path(test_name).unlink(missing_ok=True)
            shutil.copyfile(snapshot, test_name)
            os.utime(snapshot)  # in use: not pruned
            # keepdb: Django opens the copy; migrate finds every migration applied.
            return setup(keepdb=True)
        result = setup(keepdb=False)  # migrates
        connection.close()
        _check_migrated(sqlite3.connect(test_name))
        partial = snapshot.with_suffix(".partial")
        source, target = sqlite3.connect(test_name), sqlite3.connect(partial)
        try:
            source.backup(target)  # a consistent copy, whatever the journal holds
        finally:
            source.close()
            target.close()
        partial.replace(snapshot)
        _prune(cache)
        return result


def _prune(cache: Path, days: int = 7) -> None:
    """Copies of databases no checkout has asked for in a week (older migration sets)."""
    cutoff = time.time() - days * 86400
    for old in cache.glob("*.sqlite3"):
        with contextlib.suppress(FileNotFoundError):
            if old.stat().st_atime < cutoff and old.stat().st_mtime < cutoff:
                old.unlink()


def _check_migrated(db) -> None:
    try:
        (applied,) = db.execute("SELECT count(*) FROM django_migrations").fetchone()
    finally:
        db.close()
    if not applied:
        raise RuntimeError("the test database was not migrated: no snapshot made")


def sqlite_snapshot_copy(target: Path) -> bool:
    """Copy the migrated SQLite database to `target` for a subprocess (a bench's smoke run), if
    this checkout has one for today's migrations; False if not (the caller migrates)."""
    snapshot = Path(settings.DATA_DIR) / "test-db-cache" / f"{migrations_key('sqlite')}.sqlite3"
    if not ENABLED or not snapshot.exists():
        return False
    shutil.copyfile(snapshot, target)
    os.utime(snapshot)
    return True


# --- PostgreSQL: a template database --------------------------------------------------------------


def _postgresql(connection, setup):
    template = TEMPLATE_PREFIX + migrations_key("postgresql")
    with connection._nodb_cursor() as cursor:
        # One builder at a time, across processes and runs on this server.
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone():
                connection.settings_dict["TEST"]["TEMPLATE"] = template
                return setup(keepdb=False)  # CREATE DATABASE ... TEMPLATE, then migrate: no-op
            result = setup(keepdb=False)  # migrates
            connection.close()  # a template's source may have no other session
            test_name = connection.settings_dict["NAME"]
            cursor.execute(
                f'CREATE DATABASE "{template}" TEMPLATE "{test_name}"'  # noqa: S608 - our names
            )
            return result
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])


# --- SQLite: transactional tests restore the migrated database as a whole ---------------------

_migrated_copies: dict[str, sqlite3.Connection] = {}


def keep_migrated_copy() -> None:
    """Keep this process's migrated database in memory (SQLite's backup API), for the restore
    below. Call right after the test database is set up, before any test writes to it."""
    connection = connections["default"]
    if not ENABLED or connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if connection.creation.is_in_memory_db(name):
        return
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    _migrated_copies[name] = copy
    _install_restore()


def _install_restore() -> None:
    """A transactional test (serialized_rollback) starts by reloading the migrated rows from
    JSON: about 0.17 s of object saves each time, on an empty database. With a copy of the
    migrated database at hand, putting the whole file back is the same state in milliseconds.
    Django asks the connection's creation object, which for a thread or greenlet is a new one
    (Playwright's), so the method is replaced on SQLite's creation class; any other database,
    or a call inside a transaction, loads the JSON as Django does."""
    from django.db.backends.sqlite3.creation import DatabaseCreation

    if getattr(DatabaseCreation.deserialize_db_from_string, "restores_copy", False):
        return
    load_json = DatabaseCreation.deserialize_db_from_string

    def deserialize_db_from_string(self, data):
        copy = _migrated_copies.get(str(self.connection.settings_dict["NAME"]))
        if copy is None or self.connection.in_atomic_block:
            return load_json(self, data)
        self.connection.ensure_connection()
        copy.backup(self.connection.connection)

    deserialize_db_from_string.restores_copy = True
    DatabaseCreation.deserialize_db_from_string = deserialize_db_from_string

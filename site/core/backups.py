"""Backups that restore: the database (pg_dump's custom format, or SQLite's online backup) and
every file of the uploads and private storages (local folders or the object store), copied into
one folder with a manifest. `manage.py backup` and `manage.py restore` call these; README,
docs/production.md "Backups" describes the routine and the restore drill.

Files are copied through Django's storage API, so a backup taken from a local disk restores into
a bucket and the other way round. The backup folder holds personal data: keep it encrypted and
private (docs/production.md).
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import storages
from django.db import connection

STORES = ("default", "private")  # uploads (images, documents) and private files
FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _walk(storage, folder: str = ""):
    """Every file name in a storage, recursively (listdir works on disk and in buckets)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def database_dump(target: Path) -> str:
    """The database into `target` (a folder); returns the dump's file name."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_env(settings_dict)
        name = "database.dump"
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", *args]
        command += ["--file", str(target / name)]
        subprocess.run(command, env=env, check=True)  # noqa: S603 (fixed arguments)
        return name
    if connection.vendor == "sqlite":
        name = "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target / name)
        with destination:
            connection.connection.backup(destination)
        destination.close()
        return name
    raise BackupError(f"no backup for a {connection.vendor} database")


def database_is_empty() -> bool:
    return "django_migrations" not in connection.introspection.table_names()


def database_load(source: Path, name: str) -> None:
    """Load a dump into the configured database, which must be empty (a fresh one)."""
    if not database_is_empty():
        raise BackupError("the target database is not empty: restore into a fresh database")
    if name.endswith(".dump"):
        if connection.vendor != "postgresql":
            raise BackupError("a PostgreSQL dump restores into PostgreSQL only")
        args, env = _pg_env(connection.settings_dict)
        connection.close()
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", *args]
        subprocess.run([*command, str(source / name)], env=env, check=True)  # noqa: S603
        return
    if connection.vendor != "sqlite":
        raise BackupError("an SQLite backup restores into SQLite only")
    connection.close()
    shutil.copyfile(source / name, connection.settings_dict["NAME"])


def files_copy_out(target: Path) -> dict[str, int]:
    counts = {}
    for alias in STORES:
        storage = storages[alias]
        folder = target / "files" / alias
        counts[alias] = 0
        for name in _walk(storage):
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as source, open(path, "wb") as out:
                shutil.copyfileobj(source, out)
            counts[alias] += 1
    return counts


def files_copy_in(source: Path) -> dict[str, int]:
    counts = {}
    for alias in STORES:
        storage = storages[alias]
        folder = source / "files" / alias
        counts[alias] = 0
        if not folder.exists():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if storage.exists(name):
                storage.delete(name)  # the backup's copy wins
            with open(path, "rb") as handle:
                saved = storage.save(name, File(handle))
            if saved != name:
                raise BackupError(f"{alias}: {name} was stored as {saved}")
            counts[alias] += 1
    return counts


def backup_create(*, folder: Path) -> Path:
    """A new dated backup inside `folder`; returns its path."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(folder) / f"ouendan-{stamp}"
    target.mkdir(parents=True, mode=0o700)
    dump = database_dump(target)
    files = files_copy_out(target)
    manifest = {
        "format": FORMAT_VERSION,
        "created": stamp,
        "database": dump,
        "vendor": connection.vendor,
        "files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return target


def backup_restore(*, source: Path) -> dict:
    """Load a backup made by backup_create into the configured (fresh) database and storages."""
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    database_load(source, manifest["database"])
    files = files_copy_in(source)
    if files != manifest["files"]:
        raise BackupError(f"restored files {files} differ from the backup's {manifest['files']}")
    return manifest

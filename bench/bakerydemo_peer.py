"""The peer of bench/public_pages.py: wagtail/bakerydemo, built from its own repository.

`prepare()` takes a bakerydemo checkout, or a bare git directory (exported with `git archive`
into the cache folder), makes a virtualenv for it in the cache folder from its
requirements/base.txt (plus psycopg, whitenoise and gunicorn, as its production requirements
name), recreates its own PostgreSQL database, loads its fixtures (`manage.py
load_initial_data`) and collects its static files. `serve_argv()`/`env` then run it with
gunicorn under its production settings (DEBUG off), with the same worker count as ours.
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

EXTRA_REQUIREMENTS = ["psycopg[binary]>=3.3,<3.4", "whitenoise>=6.11,<7", "gunicorn>=23"]


@dataclass
class Peer:
    source: Path
    python: str
    env: dict
    commit: str


def _run(argv: list, **kwargs) -> str:
    return subprocess.run(  # noqa: S603 - fixed argv of our own tools
        argv, check=True, capture_output=True, text=True, **kwargs
    ).stdout.strip()


def _source(path: Path, cache: Path) -> tuple[Path, str]:
    if (path / "manage.py").exists():
        try:
            commit = _run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"])
        except (subprocess.CalledProcessError, FileNotFoundError):
            commit = "checkout"
        return path, commit
    commit = _run(["git", "--git-dir", str(path), "rev-parse", "--short", "HEAD"])
    source = cache / f"bakerydemo-src-{commit}"
    if not (source / "manage.py").exists():
        tmp = cache / f"bakerydemo-src-{commit}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive = subprocess.Popen(  # noqa: S603
            ["git", "--git-dir", str(path), "archive", "HEAD"],  # noqa: S607
            stdout=subprocess.PIPE,
        )
        untar = ["tar", "-x", "-C", str(tmp)]
        subprocess.run(untar, stdin=archive.stdout, check=True)  # noqa: S603,S607
        if archive.wait():
            raise SystemExit(f"git archive failed in {path}")
        tmp.rename(source)
    return source, commit


def _works(python: str) -> bool:
    try:
        version = _run([python, "-c", "import sys; print(sys.version_info >= (3, 12))"])
    except (OSError, subprocess.CalledProcessError):
        return False
    return version == "True"


def find_python(wanted: str | None) -> str:
    """bakerydemo needs Django 6 and so Python 3.12 or later (ours may run on 3.11)."""
    candidates = [wanted] if wanted else []
    candidates += [shutil.which(name) for name in ("python3.13", "python3.12")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")))
    for candidate in filter(None, candidates):
        if _works(candidate):
            return candidate
    raise SystemExit("bakerydemo needs Python 3.12 or later: pass --bakerydemo-python")


def _venv(source: Path, cache: Path, python: str) -> str:
    requirements = (source / "requirements" / "base.txt").read_text()
    digest = hashlib.sha256(
        (requirements + "\n".join(EXTRA_REQUIREMENTS) + _run([python, "--version"])).encode()
    ).hexdigest()[:12]
    venv = cache / f"bakerydemo-venv-{digest}"
    venv_python = venv / "bin" / "python"
    if venv_python.exists():
        return str(venv_python)
    uv = Path(sys.executable).parent / "uv"
    if uv.exists():
        _run([str(uv), "venv", "-q", "--python", python, str(venv)])
        install = [str(uv), "pip", "install", "-q", "--python", str(venv_python)]
    else:
        _run([python, "-m", "venv", str(venv)])
        install = [str(venv_python), "-m", "pip", "install", "-q"]
    _run([*install, "-r", str(source / "requirements" / "base.txt"), *EXTRA_REQUIREMENTS])
    return str(venv_python)


def database_url(ours: str, name: str) -> str:
    parts = urlsplit(ours)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def prepare(path: Path, *, cache: Path, python: str | None, database: str, ours_db: str) -> Peer:
    """Everything the peer needs before it is served (a few minutes the first time)."""
    cache.mkdir(parents=True, exist_ok=True)
    source, commit = _source(path.resolve(), cache)
    venv_python = _venv(source, cache, find_python(python))
    url = database_url(ours_db, database)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "DJANGO_SETTINGS_MODULE": "bakerydemo.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-secret-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "PRIMARY_HOST": "127.0.0.1",
        "DATABASE_URL": url,
    }
    admin = database_url(ours_db, "postgres")
    import psycopg  # noqa: PLC0415 - only the peer needs a second database

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    for command in (["migrate"], ["load_initial_data"], ["collectstatic", "--noinput"]):
        _run([venv_python, "manage.py", *command, "-v", "0"], cwd=source, env=env)
    return Peer(source=source, python=venv_python, env=env, commit=commit)

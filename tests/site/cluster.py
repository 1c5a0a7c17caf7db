"""A loopback cluster: web nodes (gunicorn) and huey workers on one throwaway PostgreSQL
database, one Redis database (cache, sessions' rate limits, queue) and an S3 stand-in.

Used by tests/site/test_multi_node.py, tests/site/test_backup.py and bench/soak.py. Every node
gets its own data folder (its "local disk"), so nothing can pass between nodes except through the
shared services. Waits poll a condition up to a deadline; nothing sleeps a fixed time.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get(
    "OUENDAN_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.2):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as exc:  # not ready yet (connection refused...): try again
            last_error = exc
            value = None
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s (last error: {last_error!r})")


def pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


class Cluster:
    def __init__(
        self,
        *,
        name: str,
        redis_url: str,
        s3_endpoint: str,
        bucket: str,
        settings_module: str = "tests.site.cluster_settings",
        extra_env: dict | None = None,
    ):
        self.db_name = f"{name}_{uuid.uuid4().hex[:8]}"
        self.redis_url = redis_url
        self.s3_endpoint = s3_endpoint
        self.bucket = bucket
        self.settings_module = settings_module
        self.extra_env = extra_env or {}
        self.folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.db_created = False

    # --- Services ------------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        return f"{base}/{self.db_name}"

    def create_database(self, *, template: str | None = None, migrate: bool = True) -> None:
        """A fresh database: a copy of `template` (already migrated), else migrated here (or
        left empty for a restore)."""
        if template:
            pg_admin(f'CREATE DATABASE "{self.db_name}" TEMPLATE "{template}"')
            self.db_created = True
            return
        pg_admin(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True
        if migrate:
            self.manage("migrate", "--no-input", "-v0", timeout=900)

    def sql(self, query: str, *params):
        """Rows of a query on the cluster's database (the tests' view of the shared state)."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def env(self, node: str) -> dict:
        data = self.folder / node
        data.mkdir(exist_ok=True)
        return {
            **os.environ,
            **S3_CREDENTIALS,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "SECRET_KEY": "cluster-secret-key-" + "x" * 40,
            "DATABASE_URL": self.database_url,
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": "dummymail://",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WAGTAILADMIN_BASE_URL": "https://localhost",
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.s3_endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "OUENDAN_DATA_DIR": str(data),
            "HUEY_WORKERS": "2",
            "LOG_LEVEL": "INFO",
            **self.extra_env,
        }

    def manage(self, *args: str, timeout: float = 300, node: str = "admin") -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env(node),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    # --- Nodes ---------------------------------------------------------------------------------

    def _start(self, node: str, command: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{node}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command,
            env=self.env(node),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[node] = process
        return process

    def start_web(self, node: str, port: int, *, workers: int = 1, threads: int = 4) -> str:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self._start(
            node,
            [
                gunicorn,
                "ouendan.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--timeout=120",
            ],
        )
        return f"http://127.0.0.1:{port}"

    def start_worker(self, node: str) -> None:
        self._start(node, [sys.executable, str(ROOT / "manage.py"), "run_huey"])

    def wait_web(self, url: str, *, timeout: float = 180) -> None:
        wait_for(
            lambda: requests.get(f"{url}/health/", timeout=5).status_code == 200,
            timeout=timeout,
            what=f"{url} answering /health/",
        )

    def wait_worker(self, node: str, *, timeout: float = 180) -> None:
        wait_for(
            lambda: "Huey consumer started" in self.log(node),
            timeout=timeout,
            what=f"worker {node} started",
        )

    def log(self, node: str) -> str:
        path = self.folder / f"{node}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def local_files(self, node: str) -> list[Path]:
        """Files a node wrote to its own disk (uploads, private files): none with object storage."""
        data = self.folder / node
        return [p for p in data.rglob("*") if p.is_file() and p.suffix != ".log"]

    def alive(self) -> dict[str, bool]:
        return {node: process.poll() is None for node, process in self.processes.items()}

    def stop(self, node: str) -> None:
        process = self.processes.pop(node, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def close(self) -> None:
        for node in list(self.processes):
            self.stop(node)
        if self.db_created:
            pg_admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)


# --- Clients -------------------------------------------------------------------------------------

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(session: requests.Session, url: str) -> str:
    """The CSRF token of the form on a page (the session keeps the cookie)."""
    return TOKEN.search(session.get(url, timeout=60).text).group(1)


def login(url: str, *, username: str = "staff", password: str) -> requests.Session:
    """A session logged in to the admin through one node."""
    session = requests.Session()
    token = csrf_token(session, f"{url}/admin/login/")
    response = session.post(
        f"{url}/admin/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        timeout=60,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise AssertionError(f"login refused on {url}")
    return session

"""The load generator of the public-page benches: the same client for our site and the peer.

`load()` runs `clients` processes, each sending one GET per new connection (no keep-alive, like
a visitor's first request) for `seconds`, and returns requests per second; `latency()` sends
requests one at a time and returns the median time to the last byte, in milliseconds.
`start()` starts gunicorn (sync workers), `ready()` waits until a path answers.
"""

import http.client
import multiprocessing
import signal
import statistics
import subprocess
import time
from pathlib import Path


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _client(port: int, path: str, seconds: float, results) -> None:
    count = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            ok = _get(port, path) == 200
        except OSError:
            ok = False
        count += ok
        errors += not ok
    results.put((count, errors))


def load(port: int, path: str, *, seconds: float, clients: int) -> float:
    """Requests per second with `clients` concurrent connections."""
    results = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_client, args=(port, path, seconds, results))
        for _ in range(clients)
    ]
    for proc in procs:
        proc.start()
    done = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    count, errors = sum(d[0] for d in done), sum(d[1] for d in done)
    if errors:
        raise SystemExit(f"{errors} failed requests on 127.0.0.1:{port}{path}")
    return count / seconds


def latency(port: int, path: str, *, samples: int) -> float:
    """Median milliseconds of `samples` sequential requests (one at a time: server time plus
    loopback, no queueing)."""
    timings = []
    for _ in range(samples):
        begin = time.perf_counter()
        status = _get(port, path)
        timings.append((time.perf_counter() - begin) * 1000)
        if status != 200:
            raise SystemExit(f"{status} from 127.0.0.1:{port}{path}")
    return statistics.median(timings)


def warm(port: int, path: str, *, requests: int = 6, timeout: float = 180) -> None:
    """First requests (template loading, image renditions) are not measured."""
    deadline = time.monotonic() + timeout
    for _ in range(requests):
        while _get(port, path) != 200:
            if time.monotonic() > deadline:
                raise SystemExit(f"127.0.0.1:{port}{path} never answered 200")
            time.sleep(0.5)


def start(argv: list[str], *, env: dict, cwd: Path) -> subprocess.Popen:
    """Start a server in its own process group; `ready()` waits for it. Start every server
    first, then wait: they boot side by side (each loads the whole site) instead of in turn."""
    return subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True)  # noqa: S603


def ready(server: subprocess.Popen, *, port: int, ready_path: str) -> None:
    """Wait until `ready_path` answers (any status)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server on port {port} exited ({server.returncode})")
        try:
            _get(port, ready_path)
            return
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise SystemExit(f"server on port {port} did not start")


def gunicorn_argv(python: str, app: str, *, port: int, workers: int) -> list[str]:
    return [
        python,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def stop(*servers: subprocess.Popen) -> None:
    """SIGTERM to every server at once, then wait for each (their shutdowns overlap)."""
    running = [server for server in servers if server.poll() is None]
    for server in running:
        server.send_signal(signal.SIGTERM)
    for server in running:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

"""Running a bench script as CI's smoke does: in its own process, `--smoke`, outside the test
settings, and it must exit 0."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench_smoke(script: str, *args: str, env: dict[str, str | None], timeout: int = 600) -> str:
    """The script's output; `env` overrides the environment (None: unset)."""
    full = {**os.environ}
    full.pop("DJANGO_SETTINGS_MODULE", None)
    for key, value in env.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    result = subprocess.run(  # noqa: S603 - our own bench script, fixed arguments
        [sys.executable, str(ROOT / "bench" / script), "--smoke", *args],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result.stdout

"""The newsletter benchmark runs end to end at a tiny size (its --small mode is the CI smoke):
every recipient reached the local SMTP sink once, the figures are there."""

import importlib.util
import socket
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _bench():
    path = Path(settings.BASE_DIR) / "bench" / "newsletter.py"
    spec = importlib.util.spec_from_file_location("bench_newsletter", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_bench_at_tiny_size(home_page):
    lines = []
    figures = _bench().run(recipients=20, audience=60, port=_free_port(), out=lines.append)
    # 20 created: every 20th withdrew its consent, none of the first 20 is suppressed.
    assert figures["recipients"] == figures["sent"] == 19
    assert figures["send_per_s"] > 0 and figures["baseline_per_s"] > 0
    assert figures["supporters"] == 60
    assert any("raw smtplib loop (baseline)" in line for line in lines)

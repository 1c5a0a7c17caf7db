"""The shared background-job progress pieces (member imports and bulk thanks use them)."""

import json

import pytest

from ouendan.core.jobs import job_percent, job_progress, job_progress_response


@pytest.mark.parametrize(
    ("processed", "total", "finished", "percent"),
    [(0, 0, False, 0), (1, 4, False, 25), (4, 4, False, 99), (4, 4, True, 100), (0, 0, True, 100)],
)
def test_a_bar_reads_100_only_once_the_job_has_finished(processed, total, finished, percent):
    assert job_percent(processed=processed, total=total, finished=finished) == percent


def test_the_progress_endpoint_answers_json_that_is_never_cached():
    progress = job_progress(
        status="sending", status_label="送信中", processed=3, total=10, finished=False, counts={}
    )
    response = job_progress_response(progress)
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "status": "sending",
        "status_label": "送信中",
        "processed": 3,
        "total": 10,
        "percent": 30,
        "finished": False,
        "counts": {},
    }

"""Sentry gets no personal data: a real event from a failing request, through the scrubber."""

import pytest
import sentry_sdk
from django.test import override_settings
from django.urls import path
from sentry_sdk.transport import Transport

from ouendan.core.error_reporting import FILTERED, scrub_event, scrub_text, sentry_init

SENT: list[dict] = []


class CapturingTransport(Transport):
    """Keeps the envelopes the SDK would send (after before_send) instead of sending them."""

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            SENT.append(event)


def failing_view(request):
    supporter = request.POST.dict()  # noqa: F841 (a local variable with personal data)
    raise ValueError("could not send to hanako@example.jp (〒100-0001, tel 03-1234-5678)")


urlpatterns = [path("boom/", failing_view)]


@pytest.fixture
def sentry():
    SENT.clear()
    sentry_init(dsn="https://public@sentry.example.invalid/1", environment="test")
    client = sentry_sdk.get_client()
    client.transport = CapturingTransport(client.options)
    yield SENT
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)  # reporting off again for the rest of the session


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_error_event_from_a_request_carries_no_personal_data(client, sentry):
    client.raise_request_exception = False
    client.cookies["sessionid"] = "secret-session"
    response = client.post(
        "/boom/?email=hanako@example.jp",
        {"family_name": "山田", "email": "hanako@example.jp", "phone": "090-1234-5678"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    assert len(sentry) == 1
    event = sentry[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"  # still useful
    text = repr(event)
    for personal in ("hanako@example.jp", "03-1234-5678", "100-0001", "203.0.113.9", "090-1234"):
        assert personal not in text, personal
    assert "secret-session" not in text
    assert "山田" not in text  # the posted name and the local variable are not sent
    request = event["request"]
    assert "data" not in request and "cookies" not in request
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)  # no local variables


def test_the_scrubber_on_sentrys_event_shape():
    event = {
        "event_id": "a" * 32,
        "level": "error",
        "platform": "python",
        "sdk": {"name": "sentry.python.django", "version": "2.0"},
        "contexts": {"runtime": {"name": "CPython", "version": "3.11"}},
        "user": {"id": "42", "email": "hanako@example.jp", "username": "hanako"},
        "request": {
            "url": "https://ouendan.example.jp/portal/?email=hanako%40example.jp",
            "method": "POST",
            "query_string": "email=hanako@example.jp",
            "headers": [["Cookie", "sessionid=x"], ["User-Agent", "Mozilla"]],
            "data": {"family_name": "山田"},
            "cookies": {"sessionid": "x"},
        },
        "logentry": {"message": "mail to %s failed", "params": ["hanako@example.jp"]},
        "extra": {"supporter": {"given_name": "花子", "address_line1": "千代田1-1"}},
        "breadcrumbs": {
            "values": [{"category": "query", "data": {"customer_email": "a@b.jp", "id": 3}}]
        },
        "exception": {"values": [{"type": "KeyError", "value": "'tel: 090-1234-5678'"}]},
    }
    scrubbed = scrub_event(event, {})
    assert scrubbed["user"] == {"id": "42"}
    assert "data" not in scrubbed["request"] and "cookies" not in scrubbed["request"]
    assert scrubbed["request"]["headers"][0] == ["Cookie", FILTERED]
    assert scrubbed["request"]["headers"][1] == ["User-Agent", "Mozilla"]
    assert scrubbed["request"]["query_string"] == f"email={FILTERED}"
    assert scrubbed["logentry"]["params"] == [FILTERED]
    assert scrubbed["extra"]["supporter"] == {"given_name": FILTERED, "address_line1": FILTERED}
    assert scrubbed["breadcrumbs"]["values"][0]["data"] == {"customer_email": FILTERED, "id": 3}
    assert "090-1234-5678" not in scrubbed["exception"]["values"][0]["value"]
    assert scrubbed["sdk"]["name"] == "sentry.python.django"  # Sentry's own fields stay
    assert scrubbed["contexts"]["runtime"]["name"] == "CPython"


def test_scrub_text_keeps_ordinary_numbers():
    assert scrub_text("order 12345 took 250 ms") == "order 12345 took 250 ms"
    assert scrub_text("〒100-0001 千代田") == f"{FILTERED} 千代田"
    assert scrub_text("+81 90-1234-5678") == FILTERED

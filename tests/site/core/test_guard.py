"""The shared guard of public forms (join, pledge, donate, link requests): honeypot and limits."""

import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from ouendan.core.guard import (
    HONEYPOT_FIELD,
    honeypot_field,
    honeypot_filled,
    over_limit,
    too_many_requests,
)


class GuardedForm(forms.Form):
    email = forms.EmailField()
    homepage_url = honeypot_field()


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.OUENDAN_RATE_LIMITS = {
        **settings.OUENDAN_RATE_LIMITS,
        "test:join": {"ip": "3/h", "email": "2/h"},
        "test:x": {"ip": "1/h", "email": "1/h"},
        "test:a": {"ip": "1/h", "email": "1/h"},
        "test:b": {"ip": "1/h", "email": "1/h"},
    }
    cache.clear()
    yield
    cache.clear()


def request_from(ip: str):
    return RequestFactory().post("/join/", REMOTE_ADDR=ip)


def test_the_honeypot_field_is_optional_and_kept_out_of_the_tab_order():
    field = GuardedForm().fields[HONEYPOT_FIELD]
    assert field.required is False
    assert field.widget.attrs == {"autocomplete": "off", "tabindex": "-1"}


@pytest.mark.parametrize(
    ("value", "filled"), [("", False), ("   ", False), ("http://spam.example", True)]
)
def test_a_filled_honeypot_is_seen_before_validation(value, filled):
    form = GuardedForm({"email": "not an address", HONEYPOT_FIELD: value})
    assert honeypot_filled(form) is filled


def test_the_honeypot_respects_the_form_prefix():
    form = GuardedForm({f"pledge-{HONEYPOT_FIELD}": "x"}, prefix="pledge")
    assert honeypot_filled(form)
    assert not honeypot_filled(GuardedForm({HONEYPOT_FIELD: "x"}, prefix="pledge"))


def test_over_limit_counts_per_ip_address_and_per_email():
    def attempt(ip: str, email: str) -> bool:
        return over_limit(request_from(ip), group="test:join", email=email)

    # The same address from three places: its third try is over the e-mail limit.
    assert [attempt(ip, "a@example.jp") for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3")] == [
        False,
        False,
        True,
    ]
    # One place with new addresses: over once the IP address made more than three attempts.
    results = [attempt("10.0.0.9", f"{n}@example.jp") for n in range(4)]
    assert results == [False, False, False, True]


def test_over_limit_without_an_email_counts_the_ip_address_only():
    results = [over_limit(request_from("10.0.1.1"), group="test:x", email="") for _ in range(2)]
    assert results == [False, True]


def test_groups_are_counted_apart():
    request = request_from("10.0.2.1")
    assert not over_limit(request, group="test:a", email="")
    assert not over_limit(request, group="test:b", email="")


def test_the_rates_come_from_settings(settings):
    settings.OUENDAN_RATE_LIMITS = {"test:join": {"ip": "1/h", "email": "9/h"}}
    assert not over_limit(request_from("10.0.3.1"), group="test:join", email="a@example.jp")
    assert over_limit(request_from("10.0.3.1"), group="test:join", email="b@example.jp")
    with pytest.raises(ImproperlyConfigured):
        over_limit(request_from("10.0.3.1"), group="test:unknown", email="")


def test_the_default_limits_let_an_event_hall_through_and_stop_a_flood():
    """One Wi-Fi at a 子ども食堂 event: 40 people sign up in an hour; a robot sending 1,000
    sign-ups from one address is stopped long before the end, with the default settings."""
    for group in ("members:join", "donations:pledge"):
        hall = [
            over_limit(request_from("10.0.4.1"), group=group, email=f"p{n}@example.jp")
            for n in range(40)
        ]
        assert not any(hall), group
        flood = [
            over_limit(request_from("10.0.4.2"), group=group, email=f"r{n}@example.jp")
            for n in range(1000)
        ]
        assert flood[-1] and sum(flood) >= 500, group
        same = [
            over_limit(request_from(f"10.0.5.{n}"), group=group, email="s@example.jp")
            for n in range(6)
        ]
        assert same == [False] * 5 + [True], group


def test_too_many_requests_answers_429_with_retry_after():
    response = too_many_requests(HttpResponse("slow down"))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response.content == b"slow down"

"""Guarding public forms against robots and floods (join, pledge, donate, e-mail link requests).

Two defences, used the same way by every public form:

- a honeypot: a text field hidden by CSS (`honeypot_field`); people leave it empty, form-filling
  robots do not. A filled one (`honeypot_filled`) gets the normal "thank you" and nothing is
  stored, so the robot learns nothing;
- rate limits (django-ratelimit): each valid submission counts once per e-mail address and once
  per IP address (`over_limit`), with the rates of `settings.OUENDAN_RATE_LIMITS` for the form.
  The per-address limit is the tight one; the per-IP one is high, because a sign-up table at an
  event hall sends everyone through one Wi-Fi, yet it still stops a flood from one machine. Over
  either, the visitor gets 429 with Retry-After (`too_many_requests`) and, on the join and pledge
  forms, the form again as typed with `RATE_LIMIT_MESSAGE`.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

HONEYPOT_FIELD = "homepage_url"
RETRY_AFTER_SECONDS = 3600  # the limits are per hour
RATE_LIMIT_MESSAGE = _(
    "We received this form too many times in a short time, so we have not sent it yet. Nothing "
    "you typed is lost: please try again in an hour, or contact us."
)


def honeypot_field() -> forms.CharField:
    """The honeypot, named HONEYPOT_FIELD on the form; templates hide it with CSS."""
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def honeypot_filled(form: forms.BaseForm) -> bool:
    """The honeypot of this bound form was filled in: pretend success and store nothing.
    Read from the raw data, so it works before (and without) validating the form."""
    return bool(str(form.data.get(form.add_prefix(HONEYPOT_FIELD), "")).strip())


def rate_limits(group: str) -> dict[str, str]:
    """The rates of one form (`{"ip": "300/h", "email": "5/h"}`) from OUENDAN_RATE_LIMITS."""
    try:
        return settings.OUENDAN_RATE_LIMITS[group]
    except KeyError:
        raise ImproperlyConfigured(f"OUENDAN_RATE_LIMITS has no rates for {group!r}") from None


def over_limit(request, *, group: str, email: str) -> bool:
    """Count one attempt from this IP address and for this e-mail; True when either is over.
    `group` names the form ("members:join") in OUENDAN_RATE_LIMITS; rates are django-ratelimit's
    ("5/h")."""
    rates = rate_limits(group)
    over_ip = is_ratelimited(
        request, group=f"{group}:ip", key="ip", rate=rates["ip"], increment=True
    )
    over_email = bool(email) and is_ratelimited(
        request,
        group=f"{group}:email",
        key=lambda _group, _request: email,
        rate=rates["email"],
        increment=True,
    )
    return over_ip or over_email


def too_many_requests(response: HttpResponse) -> HttpResponse:
    """The page rendered for a visitor over a limit, as 429 with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

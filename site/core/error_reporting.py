"""Error reporting with Sentry (optional: only when SENTRY_DSN is set), sending no personal data.

sentry-sdk runs with send_default_pii=False (no user, cookies, IP addresses or request bodies),
without local variables (a frame's `supporter` would show its name), and every event passes
`scrub_event` before it leaves: values under personal keys (e-mail, names, kana, addresses,
postal codes, phone numbers...) are replaced, and e-mail addresses, phone numbers and postal
codes are cut out of every remaining string (exception messages, log lines, breadcrumbs, URLs).
"""

import re

FILTERED = "[Filtered]"

# Keys (lower case) whose values are personal data wherever they appear in an event.
PERSONAL_KEYS = {
    "email",
    "e-mail",
    "mail",
    "name",
    "full_name",
    "display_name",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "organisation_name",
    "organisation_name_kana",
    "kana",
    "address",
    "address1",
    "address2",
    "address_line1",
    "address_line2",
    "line1",
    "line2",
    "street",
    "building",
    "city",
    "town",
    "prefecture",
    "state",
    "postal_code",
    "postcode",
    "zip",
    "phone",
    "phone_number",
    "tel",
    "telephone",
    "mobile",
    "username",
    "customer_details",
    "billing_details",
    "shipping",
    "shipping_details",
    "cookie",
    "cookies",
    "authorization",
    "stripe-signature",
    "ip_address",
    "remote_addr",
    "x-forwarded-for",
    "x-real-ip",
}
# Sentry's own structure uses some of these words: never filter these paths' own keys.
_STRUCTURAL = {("sdk", "name"), ("runtime", "name"), ("os", "name"), ("browser", "name")}
_KEY_SUFFIXES = ("_email", "_name", "_kana", "_address", "_phone", "_tel")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE = re.compile(r"(?<![\w])(?:\+81[-\s]?|0)\d{1,4}[-\s(]?\d{1,4}[-\s)]?\d{3,4}(?![\w])")
POSTAL = re.compile(r"〒\s*\d{3}-?\d{4}|(?<![\w-])\d{3}-\d{4}(?![\w-])")


def scrub_text(text: str) -> str:
    text = EMAIL.sub(FILTERED, text)
    text = POSTAL.sub(FILTERED, text)
    return PHONE.sub(FILTERED, text)


def _personal(key: str, parent: str) -> bool:
    lowered = key.lower()
    if (parent, lowered) in _STRUCTURAL or lowered in {"filename", "module", "function"}:
        return False
    return lowered in PERSONAL_KEYS or lowered.endswith(_KEY_SUFFIXES)


def _scrub(value, parent: str = ""):
    if isinstance(value, dict):
        return {
            key: FILTERED if _personal(str(key), parent) else _scrub(item, str(key).lower())
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        # Header lists in Sentry events are [name, value] pairs.
        if len(value) == 2 and isinstance(value[0], str) and _personal(value[0], parent):
            return [value[0], FILTERED]
        return [_scrub(item, parent) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send (and before_send_transaction): the event without personal data."""
    event = _scrub(event)
    if "user" in event:  # only an opaque id may stay
        user = event["user"] if isinstance(event["user"], dict) else {}
        event["user"] = {"id": user["id"]} if user.get("id") not in (None, FILTERED) else {}
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("env", None)
    return event


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub(crumb)


def sentry_init(*, dsn: str, environment: str, release: str = "", traces_rate: float = 0.0):
    import sentry_sdk  # imported only when a DSN is set
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.huey import HueyIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[DjangoIntegration(), HueyIntegration()],
    )

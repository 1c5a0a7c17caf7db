"""What the site knows about the network around it: the visitor's address and its own address.

Neither may come from what a client says about itself. The client address is taken from
X-Forwarded-For only as far as our own proxies wrote it (TRUSTED_PROXY_COUNT), and links that
leave the site (e-mail, Stripe return URLs) are built from PUBLIC_BASE_URL, never from the
request's Host header.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def client_ip(request) -> str:
    """The visitor's IP address, for rate limits (django-ratelimit's RATELIMIT_IP_META_KEY).

    With N trusted proxies in front of the app, each appends the address it received the request
    from to X-Forwarded-For, so the Nth entry from the right is the address the outermost proxy
    saw: the client. Entries further left were sent by the client and may be forged. A request
    that did not pass through all N proxies (too few entries) or a garbled entry falls back to
    REMOTE_ADDR: a shared bucket is better than one the client chooses.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def base_url_error(url: str) -> str | None:
    """Why `url` cannot be the site's public base URL (None when it can): an origin only,
    scheme://host[:port], so a path joined to it is exactly that path on that host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL such as https://ouendan.example.jp"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return "must be scheme://host[:port] only, with no path, query or login"
    return None


def public_url(path: str) -> str:
    """The absolute public URL of a site path ("/portal/login/…"), from PUBLIC_BASE_URL.

    For every link that leaves the site: e-mail and Stripe's return URLs. Only paths are
    accepted, so a URL built from the request (Host header) cannot slip through."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"public_url() takes a site path starting with '/', not {path!r}")
    base = settings.PUBLIC_BASE_URL
    error = base_url_error(base)
    if error:
        raise ImproperlyConfigured(f"PUBLIC_BASE_URL {error} (now {base!r}).")
    return base.rstrip("/") + path


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on this machine (127.0.0.0/8, ::1, localhost): where a local
    Stripe stand-in such as localstripe may run in development."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

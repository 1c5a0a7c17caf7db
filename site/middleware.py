"""Project middleware: the admin's idle timeout, safe headers on uploaded media, and the site of a
page request from the tree cache."""

import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.views import serve as wagtail_serve

from .core.routing import site_for_page_request

ADMIN_PREFIX = "/admin/"
LAST_ACTIVITY_KEY = "admin_last_activity"


class AdminIdleTimeoutMiddleware:
    """Logs a staff user out of the admin after ADMIN_IDLE_TIMEOUT_MINUTES without an admin
    request (the session itself may live for 14 days).

    Only requests under /admin/ by a user who may use the admin count or are checked, so the
    public site and supporters' portal sessions (which are not admin logins) are unaffected.
    The last admin request's time is kept in the session. 0 turns the timeout off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX) and _is_staff(request.user):
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        minutes = settings.ADMIN_IDLE_TIMEOUT_MINUTES
        if not minutes:
            return
        now = timezone.now()
        last = request.session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - _parse(last) > datetime.timedelta(minutes=minutes):
            logout(request)  # Wagtail then sends the request to its login page
            # The message outlives the flushed session in the messages cookie.
            from django.contrib import messages

            messages.info(
                request,
                gettext("You were logged out after %(minutes)s minutes without activity.")
                % {"minutes": minutes},
            )
            return
        request.session[LAST_ACTIVITY_KEY] = now.isoformat()


def _is_staff(user) -> bool:
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def _parse(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


class MediaHeadersMiddleware:
    """Uploaded files served by Django (SERVE_MEDIA) can never run as part of the site: no
    sniffing, a sandbox CSP with nothing allowed (an SVG or HTML file cannot run script from our
    origin), and anything that is not a raster image is downloaded, not shown. A proxy that
    serves MEDIA_URL itself must send the same headers (see the README)."""

    INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.MEDIA_URL and request.path.startswith(settings.MEDIA_URL):
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = "sandbox; default-src 'none'"
            content_type = response.get("Content-Type", "").split(";")[0].strip()
            if response.status_code == 200 and content_type not in self.INLINE_TYPES:
                response["Content-Disposition"] = "attachment"
        return response


class PageSiteMiddleware:
    """Before Wagtail serves a page, give the request its site (request._wagtail_site, which
    Site.find_for_request honours) from the tree cache: ouendan.core.routing.site_for_page_request.
    Other views find their site, if they need one, as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_serve and not hasattr(request, "_wagtail_site"):
            request._wagtail_site = site_for_page_request(request)

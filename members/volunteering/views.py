"""The public calendar feed: reached by its secret URL only."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ouendan.net import public_url

from .calendar import calendar_feed_render, calendar_feed_volunteer_id


@never_cache
def calendar_feed(request, token: str):
    volunteer_id = calendar_feed_volunteer_id(token=token)
    if volunteer_id is None:
        raise Http404
    domain = public_url("/").split("//", 1)[-1].strip("/") or "ouendan"
    body = calendar_feed_render(
        volunteer_id=volunteer_id, title=_("My volunteer shifts"), domain=domain
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response

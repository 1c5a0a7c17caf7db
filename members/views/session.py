"""The member portal's session: a supporter is logged in after proving they own the address."""

import time

from django.utils.cache import patch_cache_control

from ..models import Supporter
from ..selectors import supporter_active_get

SESSION_SUPPORTER = "members_portal_supporter"
SESSION_LOGGED_IN_AT = "members_portal_logged_in_at"
PORTAL_SESSION_MAX_AGE = 8 * 60 * 60  # seconds; then the supporter asks for a new link


def portal_no_store(response):
    """Portal pages show personal data: never stored by browsers or shared caches."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def portal_supporter(request) -> Supporter | None:
    supporter_id = request.session.get(SESSION_SUPPORTER)
    logged_in_at = request.session.get(SESSION_LOGGED_IN_AT, 0)
    if not supporter_id or time.time() - logged_in_at > PORTAL_SESSION_MAX_AGE:
        return None
    return supporter_active_get(pk=supporter_id)


def portal_session_start(request, supporter: Supporter) -> None:
    """Log a supporter into the portal after they proved they own the address (an e-mail link)."""
    request.session.cycle_key()  # a fresh session id: no session fixation
    request.session[SESSION_SUPPORTER] = supporter.pk
    request.session[SESSION_LOGGED_IN_AT] = time.time()


def _portal_logout(request) -> None:
    request.session.pop(SESSION_SUPPORTER, None)
    request.session.pop(SESSION_LOGGED_IN_AT, None)
    request.session.cycle_key()

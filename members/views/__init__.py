"""The public members journeys: the join page and the passwordless member portal.

`JoinPage` and `MemberPortalPage` route their sub-pages here (members/models/pages.py); the work
is done by the forms (validation, normalisation) and members/services.py (everything stored).
join.py has the join page, portal.py the portal, session.py the portal's login session and
links.py the page URLs; other apps (pledges, gifts, receipts) import them from `members.views`.
"""

from .join import (
    join,
    join_confirm,
    join_resend,
    join_thanks,
    postal_code_lookup,
    rate_limited,
)
from .links import (
    TOKEN_PLACEHOLDER,
    _portal_login_template,
    absolute_link,
    link_template,
    localised_page_url,
    page_base_url,
    portal_page,
    sub_url,
)
from .portal import (
    login_required,
    portal_consents,
    portal_delete,
    portal_deleted,
    portal_export,
    portal_home,
    portal_login,
    portal_login_sent,
    portal_logout,
    portal_profile,
    portal_redeem,
    portal_volunteer,
)
from .session import (
    PORTAL_SESSION_MAX_AGE,
    SESSION_LOGGED_IN_AT,
    SESSION_SUPPORTER,
    portal_no_store,
    portal_session_start,
    portal_supporter,
)

__all__ = [
    "PORTAL_SESSION_MAX_AGE",
    "SESSION_LOGGED_IN_AT",
    "SESSION_SUPPORTER",
    "TOKEN_PLACEHOLDER",
    "_portal_login_template",
    "absolute_link",
    "join",
    "join_confirm",
    "join_resend",
    "join_thanks",
    "link_template",
    "localised_page_url",
    "login_required",
    "page_base_url",
    "portal_consents",
    "portal_delete",
    "portal_deleted",
    "portal_export",
    "portal_home",
    "portal_login",
    "portal_login_sent",
    "portal_logout",
    "portal_no_store",
    "portal_page",
    "portal_profile",
    "portal_redeem",
    "portal_session_start",
    "portal_supporter",
    "portal_volunteer",
    "postal_code_lookup",
    "rate_limited",
    "sub_url",
]

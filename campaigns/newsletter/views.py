"""The public side of mail news: the unsubscribe link in every issue (RFC 8058 one-click)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from members.selectors import member_portal_page_find

from .rendering import TEST_TOKEN, unsubscribe_token_read
from .services import newsletter_unsubscribe


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no token or login
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a button and changes nothing (link scanners follow every link); POST, from
    that button or from the mail program's one-click unsubscribe, withdraws the consent."""
    test = token == TEST_TOKEN
    valid = test or unsubscribe_token_read(token) is not None
    done = False
    if request.method == "POST" and valid and not test:
        done = newsletter_unsubscribe(token=token) is not None
        valid = done
    portal = member_portal_page_find()
    return render(
        request,
        "newsletter/unsubscribe.html",
        {"valid": valid, "test": test, "done": done, "portal": portal, "token": token},
        status=200 if valid else 404,
    )

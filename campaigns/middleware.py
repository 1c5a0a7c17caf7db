"""Serve cached campaign pages before Wagtail's page routing (which costs several queries).

Last in MIDDLEWARE, so every other middleware (CSP, CSRF cookie, security headers, language)
still handles the response. Only pages `campaigns.services.campaign_page_serve_cached` stored
are served, only to visitors without a session, and never older than CAMPAIGNS_CACHE_SECONDS.
"""

from .page_cache import page_cache_response


class CampaignPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return page_cache_response(request) or self.get_response(request)

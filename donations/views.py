import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import WebhookRejected, stripe_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature on the raw body authenticates it
@require_POST
def stripe_webhook(request):
    """Verify, store once, answer fast. Processing happens in a huey task."""
    try:
        event, created = stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except WebhookRejected as exc:
        logger.warning("Rejected Stripe webhook: %s", exc)
        return HttpResponseBadRequest("invalid webhook")
    return HttpResponse("stored" if created else "duplicate", content_type="text/plain")

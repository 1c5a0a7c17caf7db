"""Single-use e-mail links: sign-up confirmation, portal login, updating a card.

Only a hash of each secret is stored (members.models.AccessToken); the secret goes in the e-mail.
Re-exported by members/services.py.
"""

import datetime

from django.utils import timezone

from .models import AccessToken, Supporter

CONFIRM_LINK_VALID = datetime.timedelta(hours=48)
LOGIN_LINK_VALID = datetime.timedelta(minutes=30)
# A failed-payment e-mail may be read days later; Stripe retries for about a week.
BILLING_LINK_VALID = datetime.timedelta(days=7)
LINK_VALIDITY = {
    AccessToken.Purpose.CONFIRM_SIGNUP: CONFIRM_LINK_VALID,
    AccessToken.Purpose.LOGIN: LOGIN_LINK_VALID,
    AccessToken.Purpose.BILLING: BILLING_LINK_VALID,
}


def access_token_issue(*, supporter: Supporter, purpose: str) -> str:
    """Create a single-use link secret. Only its hash is stored; the secret goes in the e-mail."""
    valid = LINK_VALIDITY[purpose]
    secret = AccessToken.new_secret()
    now = timezone.now()
    AccessToken.objects.create(
        supporter=supporter,
        purpose=purpose,
        token_hash=AccessToken.hash(secret),
        created_at=now,
        expires_at=now + valid,
    )
    return secret


def access_token_redeem(*, secret: str, purpose: str) -> Supporter | None:
    """The supporter a valid, unused link belongs to, marking it used; None otherwise.

    The conditional UPDATE makes redemption single-use even when two requests race.
    """
    now = timezone.now()
    tokens = AccessToken.objects.filter(
        token_hash=AccessToken.hash(secret or ""),
        purpose=purpose,
        used_at__isnull=True,
        expires_at__gt=now,
    )
    token = tokens.select_related("supporter").first()
    if token is None or tokens.filter(pk=token.pk).update(used_at=now) != 1:
        return None
    return token.supporter

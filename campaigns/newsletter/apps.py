from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    """Mail news: issues, audiences, mailings, unsubscribe and the public archive."""

    name = "campaigns.newsletter"
    label = "newsletter"
    verbose_name = _("Mail news")

    def ready(self):
        # In ready(): the models and the members registry load after the app registry.
        from anymail.signals import tracking

        from members.merge import merge_register
        from members.privacy import privacy_register

        from .merge import newsletter_merge_move
        from .tracking import mailing_tracking_receiver, newsletter_anonymise

        privacy_register(anonymise=newsletter_anonymise)
        # A merged duplicate's recipient rows go to the surviving record.
        merge_register(move=newsletter_merge_move)
        # Per-recipient delivery status from the provider's verified tracking webhooks
        # (ouendan.core records the suppression itself).
        tracking.connect(mailing_tracking_receiver, dispatch_uid="newsletter.tracking")

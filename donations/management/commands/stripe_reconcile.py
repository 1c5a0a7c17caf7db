import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from donations.stripe_api import stripe_configured
from donations.stripe_inbox import stripe_reconcile


class Command(BaseCommand):
    help = "Fetch recent Stripe events and subscriptions and heal anything a missed webhook left."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="How far back (Stripe keeps 30).")

    def handle(self, *args, days, **options):
        if not stripe_configured():
            raise CommandError("STRIPE_SECRET_KEY is not set: nothing to reconcile.")
        result = stripe_reconcile(since=timezone.now() - datetime.timedelta(days=days))
        self.stdout.write(
            f"events seen {result.events_seen}, added {result.events_added}; "
            f"monthly gifts synced {result.subscriptions_synced}"
        )

"""Benchmark: mail news to 10,000 personalised recipients, and the audience count.

    python bench/newsletter.py [--recipients 10000] [--audience 100000] [--port 8611] [--small]

Uses a temporary SQLite database, or DATABASE_URL (e.g. a throwaway PostgreSQL database such as
postgres://…/news_bench: created when missing, its supporters replaced). Prints, side by side:

- render and queue: freezing the recipient list (one row each) and rendering every personalised
  message (HTML + text, headers) to bytes, with the peak memory of the process (getrusage);
- sending: one worker's throughput through `mailing_send_batch` to a local SMTP sink (aiosmtpd on
  loopback, unthrottled), beside a baseline in the same run: a raw smtplib loop sending the same
  number of already-rendered messages over one connection;
- the audience count query (consent, contactability, suppression; and a lapsed-donor filter) at
  `--audience` supporters, median of 5.

`--small` (200 recipients, 2,000 supporters) is the smoke CI can run.
"""

import argparse
import os
import resource
import smtplib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Sink:
    """An SMTP server that counts and drops messages."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.received += 1
        return "250 OK"


def sink_start(port: int):
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def supporters_create(count: int, *, prefix: str) -> list[int]:
    """`count` active supporters with the newsletter consent granted; every 20th withdrew it,
    every 50th is suppressed (bounced); some gave last year, some earlier (lapsed donors)."""
    import datetime

    from django.utils import timezone

    from donations.models import Donation
    from members.models import ConsentRecord, Supporter
    from members.models.consents import supporters_refresh_newsletter_consent
    from ouendan.core.models import SuppressedAddress

    ids = []
    now = timezone.now()
    for start in range(0, count, 5000):
        rows = [
            Supporter(
                family_name="山田",
                given_name=f"花子{n}",
                family_name_kana="ヤマダ",
                given_name_kana="ハナコ",
                email=f"{prefix}{n}@example.jp",
                status="active",
                preferred_language="en" if n % 10 == 0 else "ja",
                is_volunteer=n % 7 == 0,
            )
            for n in range(start, min(start + 5000, count))
        ]
        created = Supporter.objects.bulk_create(rows, batch_size=1000)
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    supporter=s,
                    kind="newsletter",
                    granted=True,
                    source="join_form",
                    recorded_at=now - datetime.timedelta(days=30),
                )
                for s in created
            ]
            + [
                ConsentRecord(
                    supporter=s,
                    kind="newsletter",
                    granted=False,
                    source="unsubscribe",
                    recorded_at=now,
                )
                for n, s in enumerate(created)
                if n % 20 == 19
            ],
            batch_size=2000,
        )
        # bulk_create skips ConsentRecord.save(): set the consent in force as the service would.
        supporters_refresh_newsletter_consent(supporter_ids=[s.pk for s in created])
        SuppressedAddress.objects.bulk_create(
            [
                SuppressedAddress(email=s.email, reason="bounced")
                for n, s in enumerate(created)
                if n % 50 == 49
            ]
        )
        Donation.objects.bulk_create(
            [
                Donation(
                    supporter=s,
                    kind="one_off",
                    method="cash",
                    amount_yen=3000,
                    paid_at=now - datetime.timedelta(days=400 if n % 3 else 1200),
                )
                for n, s in enumerate(created)
                if n % 4 == 0
            ],
            batch_size=2000,
        )
        ids.extend(s.pk for s in created)
    return ids


def issue_create():
    from wagtail.models import Site

    from campaigns.newsletter.models import NewsletterIndexPage, NewsletterPage
    from ouendan.core.demo import page_upsert

    root = Site.objects.get(is_default_site=True).root_page
    index = page_upsert(parent=root, model=NewsletterIndexPage, slug="bench-news", title="ニュース")
    return page_upsert(
        parent=index,
        model=NewsletterPage,
        slug="bench-issue",
        title="{name}さん、応援団ニュース第1号",
        greeting="{name} 様",
        preheader="夏休みの食支援のご報告",
        is_public=True,
        body=[
            ("heading", "夏休みの食支援"),
            ("paragraph", "<p>いつもありがとうございます、{name}さん。</p>" * 5),
        ],
    )


def run(*, recipients: int, audience: int, port: int, out=print) -> dict:
    """Everything measured, on the configured database (migrated). Returns the figures."""
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from campaigns.newsletter.models import AudienceSegment, Mailing, MailingRecipient
    from campaigns.newsletter.rendering import unsubscribe_token
    from campaigns.newsletter.selectors import segment_count
    from campaigns.newsletter.services import (
        IssueCache,
        mailing_send_batch,
        mailing_start,
        placeholder_values,
    )
    from members.models import Supporter
    from ouendan.core.models import SuppressedAddress

    figures = {"database": connection.vendor}
    MailingRecipient.objects.all().delete()
    Mailing.objects.all().delete()
    AudienceSegment.objects.all().delete()
    SuppressedAddress.objects.all().delete()
    _supporters_clear()
    page = issue_create()

    started = time.perf_counter()
    supporters_create(recipients, prefix="r")
    out(f"{recipients:,} recipients created in {time.perf_counter() - started:.1f} s")
    segment = AudienceSegment.objects.create(name="bench")
    expected = segment_count(segment)

    # Render and queue: freeze the list, then every personalised message to bytes.
    mailing = Mailing.objects.create(page=page, segment=segment, send_at=timezone.now())
    t0 = time.perf_counter()
    mailing_start(mailing_id=mailing.pk)
    frozen = time.perf_counter() - t0
    mailing.refresh_from_db()
    issues = IssueCache(mailing)
    supporters = Supporter.objects.in_bulk(
        list(mailing.recipients.values_list("supporter_id", flat=True))
    )
    from campaigns.newsletter.rendering import issue_message

    t0 = time.perf_counter()
    rendered = []
    day = timezone.localdate()
    for row in mailing.recipients.all().iterator(chunk_size=2000):
        issue = issues.get(row.language)
        values = placeholder_values(
            supporter=supporters[row.supporter_id],
            language=issue.language,
            organisation="応援団",
            day=day,
        )
        message = issue_message(issue, to=row.email, values=values, token=unsubscribe_token(row.pk))
        rendered.append((row.email, message.message().as_bytes(linesep="\r\n")))
    render = time.perf_counter() - t0
    figures.update(
        recipients=mailing.recipients_total,
        freeze_s=frozen,
        render_s=render,
        render_per_s=len(rendered) / render,
        peak_mb=peak_memory_mb(),
    )
    assert mailing.recipients_total == expected
    out(f"\nrender and queue ({mailing.recipients_total:,} recipients, {connection.vendor})")
    out(f"  freeze the list (queue)      {frozen:8.2f} s")
    out(f"  render personalised messages {render:8.2f} s  ({len(rendered) / render:,.0f}/s)")
    out(f"  peak memory (ru_maxrss)      {figures['peak_mb']:8.1f} MB")

    # Sending: one worker through the service vs a raw smtplib loop, same sink, same run.
    sink, controller = sink_start(port)
    try:
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "NEWSLETTER_MAILS_PER_SECOND": 1e9,
            "NEWSLETTER_BATCH_SIZE": 500,
        }
        with override_settings(**smtp):
            t0 = time.perf_counter()
            while mailing_send_batch(mailing_id=mailing.pk):
                pass
            service = time.perf_counter() - t0
        sent = MailingRecipient.objects.filter(mailing=mailing, status="sent").count()
        assert sent == mailing.recipients_total and sink.received >= sent
        t0 = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for address, data in rendered:
                client.sendmail("noreply@localhost", [address], data)
        baseline = time.perf_counter() - t0
    finally:
        controller.stop()
    figures.update(send_per_s=sent / service, baseline_per_s=len(rendered) / baseline, sent=sent)
    out(f"\nsending to an SMTP sink on 127.0.0.1:{port} (one worker, unthrottled)")
    out(f"  {'':28} {'mails':>8} {'seconds':>8} {'mails/s':>8}")
    out(f"  {'mailing_send_batch (service)':28} {sent:8,} {service:8.2f} {sent / service:8.1f}")
    out(
        f"  {'raw smtplib loop (baseline)':28} {len(rendered):8,} {baseline:8.2f}"
        f" {len(rendered) / baseline:8.1f}"
    )
    del rendered

    # The audience count at `audience` supporters.
    more = max(0, audience - recipients)
    started = time.perf_counter()
    supporters_create(more, prefix="a")
    out(f"\n{more:,} more supporters created in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    lapsed = AudienceSegment.objects.create(name="lapsed", lapsed="lapsed")
    total = Supporter.objects.count()
    out(f"audience count at {total:,} supporters (median of 5)")
    for name, chosen in (("everyone who consented", segment), ("lapsed donors", lapsed)):
        timings = []
        for _ in range(5):
            t0 = time.perf_counter()
            count = segment_count(chosen)
            timings.append((time.perf_counter() - t0) * 1000)
        figures[f"count_ms[{name}]"] = statistics.median(timings)
        out(f"  {name:28} {count:8,} people {statistics.median(timings):8.1f} ms")
    figures["supporters"] = total
    return figures


def _supporters_clear() -> None:
    """A re-run replaces the bench's supporters (and their rows)."""
    from django.db import connection

    tables = [
        "newsletter_mailingrecipient",
        "members_consentrecord",
        "donations_donation",
        "core_suppressedaddress",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (fixed table names)
        if connection.vendor == "postgresql":
            # One statement, so the peak memory printed is the run's own: the ORM's cascade
            # would first load every old supporter into this process.
            cursor.execute("TRUNCATE members_supporter CASCADE")
            return
    from members.models import Supporter

    Supporter.objects.all().delete()


def _postgres_create(url: str) -> None:
    """Create the throwaway database named in DATABASE_URL when it does not exist."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    admin = dict(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
    )
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [config["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--audience", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8611)
    parser.add_argument("--small", action="store_true", help="200 recipients, 2,000 supporters")
    args = parser.parse_args()
    if args.small:
        args.recipients, args.audience = 200, 2_000

    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    elif url.startswith("postgres"):
        _postgres_create(url)
    os.environ.setdefault("OUENDAN_DATA_DIR", tmp.name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ouendan.settings.dev"
    # Not immediate: the bench drives the batches itself (tasks queued in the temporary
    # folder are never run).
    os.environ["HUEY_IMMEDIATE"] = "0"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(recipients=args.recipients, audience=args.audience, port=args.port)


if __name__ == "__main__":
    main()

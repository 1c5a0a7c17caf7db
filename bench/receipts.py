"""Benchmark: a year's batch of annual donation certificates (寄附金受領証明書).

    python bench/receipts.py [--donors 10000] [--chunk 200]

Uses a throwaway SQLite database and private-file folder in a temporary directory, or
DATABASE_URL when set (give it a database of its own: the script migrates it and leaves the
rows there). Creates `--donors` donors with Japanese names and addresses (70 % with an e-mail
address) and a year of gifts each: monthly card gifts (some cancelled part-way), one-off card
gifts, bank transfers and cash, partial and full refunds, and membership fees that must be left
out. Then runs the batch exactly as the huey worker does (`receipt_batch_run`): number, snapshot,
PDF with embedded fonts to private storage, portal-link e-mail into the outbox, and the ZIP of
the postal certificates with its address list.

Prints wall time, certificates per second, time per certificate, the ZIP's size and the peak
memory of the process (RSS, from getrusage).
"""

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025

FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田"]
GIVEN = ["花子", "太郎", "陽菜", "蓮", "結衣", "大翔", "美咲", "翔太", "さくら", "健一", "直子"]
PLACES = [
    ("100-0001", "東京都", "千代田区", "千代田"),
    ("530-0001", "大阪府", "大阪市北区", "梅田"),
    ("060-0001", "北海道", "札幌市中央区", "北一条西"),
    ("812-0011", "福岡県", "福岡市博多区", "博多駅前"),
    ("460-0008", "愛知県", "名古屋市中区", "栄"),
]


def setup_django() -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ouendan.settings.dev")
    tmp = tempfile.mkdtemp(prefix="ouendan-bench-")
    os.environ["OUENDAN_DATA_DIR"] = tmp
    os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(Path(tmp) / "private")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    # Tasks go to a queue file nobody reads: the bench calls the services itself.
    os.environ["HUEY_IMMEDIATE"] = "false"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_donors(count: int, seed: int) -> int:
    """Donors and a year of gifts, written in bulk. Returns the number of gifts."""
    from django.utils import timezone

    from donations.models import Donation
    from members.models import Supporter

    rng = random.Random(seed)
    zone = timezone.get_current_timezone()
    supporters = []
    for n in range(count):
        postal, prefecture, city, town = rng.choice(PLACES)
        supporters.append(
            Supporter(
                family_name=rng.choice(FAMILY),
                given_name=rng.choice(GIVEN),
                family_name_kana="ヤマダ",
                given_name_kana="ハナコ",
                email=f"donor{n}@example.jp" if rng.random() < 0.7 else "",
                postal_code=postal,
                prefecture=prefecture,
                city=city,
                address_line=f"{town}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                building=f"さくらハイツ{rng.randint(101, 905)}" if rng.random() < 0.3 else "",
                status=Supporter.Status.ACTIVE,
            )
        )
    Supporter.objects.bulk_create(supporters, batch_size=2000)
    ids = list(Supporter.objects.order_by("pk").values_list("pk", flat=True))
    gifts = []

    def add(supporter_id, kind, method, amount, month, day, refunded=0):
        gifts.append(
            Donation(
                supporter_id=supporter_id,
                kind=kind,
                method=method,
                amount_yen=amount,
                refunded_yen=refunded,
                paid_at=datetime.datetime(YEAR, month, day, 10, tzinfo=zone),
            )
        )

    for supporter_id in ids:
        first = len(gifts)
        roll = rng.random()
        if roll < 0.4:  # monthly gift, sometimes cancelled part-way through the year
            last = 12 if rng.random() < 0.8 else rng.randint(2, 11)
            amount = rng.choice([500, 1000, 3000, 5000])
            for month in range(1, last + 1):
                add(supporter_id, "monthly", "card", amount, month, 5)
        for _ in range(rng.choice([0, 1, 1, 2, 3]) if roll >= 0.4 else rng.choice([0, 0, 1])):
            method = rng.choice(["card", "card", "konbini", "bank_transfer", "cash"])
            amount = rng.choice([1000, 3000, 5000, 10000, 30000])
            refunded = 0 if rng.random() < 0.95 else rng.choice([amount, amount // 2])
            add(
                supporter_id,
                "one_off",
                method,
                amount,
                rng.randint(1, 12),
                rng.randint(1, 28),
                refunded,
            )
        if rng.random() < 0.3:
            add(supporter_id, "membership", "bank_transfer", 3000, 4, 1)
        if not any(g.kind != "membership" and g.refunded_yen < g.amount_yen for g in gifts[first:]):
            add(supporter_id, "one_off", "bank_transfer", 5000, 12, 20)  # everyone gave something
    Donation.objects.bulk_create(gifts, batch_size=5000)
    return len(gifts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from donations.receipts.batches import receipt_batch_run
    from donations.receipts.models import Receipt, ReceiptBatch
    from donations.receipts.selectors import receipt_batch_donor_ids
    from ouendan.core.models import OutgoingEmail
    from ouendan.core.pdf import pdf_fonts

    started = time.perf_counter()
    gift_count = make_donors(args.donors, args.seed)
    print(
        f"database: {connection.vendor}  donors: {args.donors:,}  gifts in {YEAR}: {gift_count:,}"
    )
    print(f"  set-up: {time.perf_counter() - started:.1f} s")
    pdf_fonts()  # font loading is once per worker process; counted separately
    before = rss_mb()

    batch = ReceiptBatch.objects.create(year=YEAR, total=len(receipt_batch_donor_ids(year=YEAR)))
    started = time.perf_counter()
    status = receipt_batch_run(batch_id=batch.pk, chunk_size=args.chunk)
    elapsed = time.perf_counter() - started
    batch.refresh_from_db()
    assert status == ReceiptBatch.Status.DONE, status
    issued = Receipt.objects.filter(batch=batch).count()
    assert issued == batch.total, (issued, batch.total)
    zip_mb = batch.postal_zip.size / 1024 / 1024
    pdf_bytes = sum(
        batch.postal_zip.storage.size(name)
        for name in Receipt.objects.filter(batch=batch).values_list("pdf", flat=True)[:200]
    ) / min(200, issued)

    print(f"\nannual certificates for {YEAR} (receipt_batch_run, chunks of {args.chunk})")
    mails = OutgoingEmail.objects.filter(key__startswith="receipt-ready:").count()
    rate, each = issued / elapsed, elapsed / issued * 1000
    print(f"  certificates:     {issued:,}  (e-mailed {batch.emailed_count:,}, ", end="")
    print(f"to post {batch.postal_count:,})")
    print(f"  wall time:        {elapsed:7.1f} s  = {rate:,.0f} certificates/s, {each:.1f} ms each")
    print(f"  outbox messages:  {mails:,}")
    print(f"  PDF size:         {pdf_bytes / 1024:.0f} KB on average; postal ZIP {zip_mb:.0f} MB")
    print(f"  peak RSS:         {rss_mb():7.0f} MB (before the batch: {before:.0f} MB)")
    projected = each * 10_000 / 1000
    verdict = "met" if projected <= 600 else "NOT met"
    print(f"  10,000 at this rate: {projected:.0f} s (target ≤ 600 s on 2 cores: {verdict})")


if __name__ == "__main__":
    main()

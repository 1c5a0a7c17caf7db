"""Benchmark: the member import's bulk path against django-import-export tuned for bulk.

    python bench/members_import.py [--rows 100000] [--existing 10000] [--baseline-rows N]
                                   [--smoke] [--profile]

Uses a throwaway SQLite database in a temporary folder, or DATABASE_URL when set (give it a
database of its own: the script migrates it and leaves the rows there). Generates a CSV of
realistic Japanese rows the way staff export them from Excel (UTF-8 with BOM, hiragana kana,
full-width digits, blank prefectures to be filled from the postal code), with `--existing` of them
already in the database under a differently-cased e-mail so they become updates.

Prints wall time, rows/s and peak memory (RSS) for the check and the write, side by side with
django-import-export tuned as its maintainers recommend (bulk, skip_diff, force_init_instance,
batch_size) on the same file in the same run (`bench_library`). `--smoke` runs 300 rows (CI);
`--profile` prints a pyinstrument profile of the bulk import (a bench mode only).
"""

import argparse
import csv
import itertools
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAMILY = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("山口", "やまぐち"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
]
GIVEN = [
    ("花子", "はなこ"),
    ("太郎", "たろう"),
    ("陽菜", "ひな"),
    ("蓮", "れん"),
    ("結衣", "ゆい"),
    ("大翔", "ひろと"),
    ("美咲", "みさき"),
    ("翔太", "しょうた"),
    ("さくら", "さくら"),
    ("健一", "けんいち"),
    ("直子", "なおこ"),
    ("誠", "まこと"),
]
COMPANIES = [
    ("株式会社さくら食品", "カブシキガイシャサクラショクヒン"),
    ("有限会社みどり運送", "ユウゲンガイシャミドリウンソウ"),
    ("ＮＰＯ法人ひだまり", "エヌピーオーホウジンヒダマリ"),
    ("合同会社あおぞら", "ゴウドウガイシャアオゾラ"),
]
POSTAL_CODES = ["100-0001", "530-0001", "060-0001", "812-0011", "460-0008", "980-0021"]
HEADER = [
    "種別",
    "姓",
    "名",
    "セイ",
    "メイ",
    "団体名",
    "団体名カナ",
    "部署",
    "担当者",
    "メールアドレス",
    "電話番号",
    "郵便番号",
    "都道府県",
    "市区町村",
    "町名番地",
    "建物名",
    "ボランティア",
    "備考",
]
FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def setup_django(*, migrate: bool = True) -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ouendan.settings.dev")
    tmp = tempfile.mkdtemp(prefix="ouendan-bench-")
    os.environ["OUENDAN_DATA_DIR"] = tmp
    os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    # Tasks go to a queue file nobody reads: the bench calls the services itself.
    os.environ["HUEY_IMMEDIATE"] = "false"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)
    return tmp


def row_for(n: int, rng: random.Random) -> list[str]:
    # Phone numbers unique per row (090-xxxx-xxxx), so kana + phone never collide by chance.
    phone = f"090{10_000_000 + n:08d}"
    postal = rng.choice(POSTAL_CODES)
    address = f"{rng.randint(1, 9)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    volunteer = rng.choice(["はい", "", "", "いいえ"])
    email = f"member{n}@example.jp"
    if n % 20 == 0:
        name, kana = COMPANIES[n % len(COMPANIES)]
        row = ["法人", "", "", "", "", f"{name}{n}", kana, "総務部", "担当 太郎"]
        return row + [email, phone, postal, "", "", address, "", volunteer, ""]
    family, family_kana = rng.choice(FAMILY)
    given, given_kana = rng.choice(GIVEN)
    full_width = n % 3 == 0  # some staff type full-width digits
    return [
        "個人",
        family,
        given,
        family_kana,
        given_kana,
        "",
        "",
        "",
        "",
        email.upper() if n % 7 == 0 else email,
        phone.translate(FULLWIDTH) if full_width else phone,
        postal.translate(FULLWIDTH) if full_width else postal.replace("-", ""),
        "",
        "",
        address.translate(FULLWIDTH) if full_width else address,
        "コーポ桜 101" if n % 5 == 0 else "",
        volunteer,
        "メモ" if n % 11 == 0 else "",
    ]


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            writer.writerow(row_for(n, rng))


def existing_supporters(count: int) -> None:
    """Supporters already in the database: the file's first `count` e-mails, in upper case."""
    from members.models import Supporter

    batch = []
    for n in range(count):
        batch.append(
            Supporter(
                family_name="旧姓",
                family_name_kana="キュウセイ",
                email=f"MEMBER{n}@Example.JP",
                status=Supporter.Status.ACTIVE,
            )
        )
        if len(batch) == 5000:
            Supporter.objects.bulk_create(batch)
            batch = []
    Supporter.objects.bulk_create(batch)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(function, *args) -> tuple[list[float], float]:
    """`function(*args)` (numbers) and the peak RSS in MB of a forked process that ran it.

    The library's side holds the whole file as a tablib Dataset plus its result rows: run here,
    its peak would become this process's high-water mark (ru_maxrss never goes down) and hide the
    import's own peak, measured afterwards."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        status = 1
        try:
            result = function(*args)
            numbers = result if isinstance(result, tuple) else (result,)
            os.write(write, " ".join(map(repr, [*numbers, rss_mb()])).encode())
            status = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            connections.close_all()
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        reply = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if status != 0 or not reply:
        raise SystemExit(f"the forked {function.__name__} failed (status {status})")
    *numbers, peak = map(float, reply.split())
    return numbers, peak


def bench_bulk(path: Path, rows: int) -> dict:
    from django.core.files import File

    from members.imports import member_import_run, member_import_validate
    from members.models import MemberImport

    with path.open("rb") as handle:
        member_import = MemberImport.objects.create(
            file=File(handle, name="bench.csv"), original_name="bench.csv"
        )
    started, cpu_started = time.perf_counter(), time.process_time()
    checked = member_import_validate(member_import_id=member_import.pk)
    validated = time.perf_counter()
    assert checked.status == MemberImport.Status.VALIDATED, checked.errors[:5]
    done = member_import_run(member_import_id=member_import.pk)
    finished, cpu = time.perf_counter(), time.process_time() - cpu_started
    assert done.status == MemberImport.Status.DONE, done.errors[:5]
    peak = rss_mb()
    return {
        "peak": peak,
        "check": validated - started,
        "write": finished - validated,
        "total": finished - started,
        "cpu": cpu,
        "created": done.created_count,
        "updated": done.updated_count,
        "rows": done.total_rows,
    }


def bench_library(path: Path, rows: int) -> tuple[float, float]:
    """django-import-export tuned as its maintainers recommend ("Bulk imports" in its docs):
    use_bulk, batch_size, skip_diff, skip_unchanged off, force_init_instance (every row of the
    file is new at this point, so no lookup per row is needed), no transaction per row; on the
    same file with its values normalised first (the library has no kana, phone or postal rules,
    so it checks less). Timed from the file, as ours is: reading the CSV into its Dataset is
    part of its import (ours reads, decodes and normalises the file inside its own time). Run
    inside a transaction that is rolled back, so the import measured next starts from the same
    database."""
    import tablib
    from django.db import transaction

    from members.resources import SupporterResource, header_key

    class TunedResource(SupporterResource):
        class Meta(SupporterResource.Meta):
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True
            skip_unchanged = False
            clean_model_instances = False

    started, cpu_started = time.perf_counter(), time.process_time()
    resource_ = TunedResource()
    headers = [resource_.fields[name].column_name for name in resource_.get_import_order()]
    dataset = tablib.Dataset(headers=headers)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        by_header = {header_key(h): i for i, h in enumerate(next(reader))}
        for source in itertools.islice(reader, rows):
            values = []
            for header in headers:
                index = by_header.get(header_key(header))
                value = source[index] if index is not None else ""
                values.append(_library_value(header, value))
            dataset.append(values)

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            result = resource_.import_data(dataset, dry_run=False, use_transactions=False)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            assert not result.has_errors() and not result.has_validation_errors()
            raise Rollback
    except Rollback:
        pass
    return elapsed, cpu


def _library_value(header: str, value: str) -> str:
    """Already-normalised values for the library (it has no Japanese rules of its own)."""
    from members import normalise

    if header == "メールアドレス":
        return normalise.normalise_email(value)
    if header == "電話番号":
        return normalise.normalise_phone(value)
    if header == "郵便番号":
        return normalise.normalise_postal_code(value)
    if header in ("セイ", "メイ", "団体名カナ"):
        return normalise.normalise_kana(value)
    return normalise.to_halfwidth(value) if header == "町名番地" else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=None, help="default: 10%% of --rows")
    parser.add_argument("--baseline-rows", type=int, default=None, help="default: --rows")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--smoke", action="store_true", help="tiny size, for CI")
    parser.add_argument("--no-migrate", action="store_true", help="the schema is there")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the bulk import")
    args = parser.parse_args()
    if args.smoke:
        args.rows = 300
    existing = args.rows // 10 if args.existing is None else args.existing
    baseline_rows = args.baseline_rows or args.rows

    tmp = setup_django(migrate=not args.no_migrate)
    from django.db import connection

    from members.models import Supporter

    # A re-run's cleanup (Django's delete collects every row and its relations: 570 MB for
    # 100,000) runs in a process of its own too, so it does not count as the import's peak.
    in_child(lambda: Supporter.objects.all().delete()[0])
    path = Path(tmp) / "members.csv"
    write_csv(path, args.rows, args.seed)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"database: {connection.vendor}  file: {args.rows:,} rows, {size_mb:.1f} MB CSV")

    # The peer first, on the same file while every row is still new (rolled back afterwards).
    (library, library_cpu), library_peak = in_child(bench_library, path, baseline_rows)
    library_rate = baseline_rows / library

    existing_supporters(existing)
    print(f"existing supporters: {existing:,} (matched by e-mail in another case)")
    before = rss_mb()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    bulk = bench_bulk(path, args.rows)
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    peak = bulk["peak"]
    rate = bulk["rows"] / bulk["total"]
    print("\nbulk import with full validation (members.imports)")
    print(f"  check (dry run):  {bulk['check']:7.1f} s")
    print(f"  write (1 txn):    {bulk['write']:7.1f} s")
    print(f"  total:            {bulk['total']:7.1f} s  = {rate:,.0f} rows/s")
    print(f"  CPU (this process): {bulk['cpu']:5.1f} s  (the database server's work not included)")
    print(f"  created/updated:  {bulk['created']:,} / {bulk['updated']:,}")
    print(f"  peak RSS:         {peak:7.0f} MB (before the import: {before:.0f} MB)")
    search_rows = Supporter.objects.filter(search_text__contains="@example.jp").count()
    print(f"  search column:    {search_rows:,} imported rows findable (no index rebuild)")

    print(
        "\ndjango-import-export tuned (use_bulk, batch_size 1000, skip_diff, force_init_instance)"
    )
    print(f"  {baseline_rows:,} rows:     {library:7.1f} s  = {library_rate:,.0f} rows/s")
    print(f"  CPU (its process):  {library_cpu:5.1f} s")
    print(f"  peak RSS:         {library_peak:7.0f} MB (in a process of its own)")
    # Like for like: our write pass reads and checks every row again (the same rules as the
    # dry run) before writing, as the library's import_data does in its own way; the dry run
    # is the extra step staff see first (the library's admin has one too, not measured here).
    write_rate = bulk["rows"] / bulk["write"]
    print(
        f"\nimport (file → database, every row checked): {write_rate:,.0f} rows/s"
        f" = {write_rate / library_rate:.2f}× the tuned library"
    )
    print(
        f"with the dry run first (check + write):     {rate:,.0f} rows/s"
        f" = {rate / library_rate:.2f}× the tuned library's import alone"
    )


if __name__ == "__main__":
    main()

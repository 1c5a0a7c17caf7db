"""A database made by the previous main (commit 8276df7, before receipts and funding became apps
of their own) migrates forward with every receipt and funding row kept, and each group's
permissions moved from donations.* to receipts.* and funding.*.

The database is built in a child process, on a throwaway database of the engine the suite runs
on (SQLite in memory, or a new PostgreSQL database next to the test one): its migrations,
content types and caches then never mix with the test database's. The child migrates with
MigrationExecutor to the apps' migration leaves of 8276df7, fills in rows with that state's
models, migrates to today's leaves and reports what it found before and after as JSON.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]

# The project apps' migration leaves at commit 8276df7 (other apps: their current leaves).
PREVIOUS_LEAVES = {
    "campaigns": "0004_template_items_placeholder",
    "donations": "0012_receipt_batch_failures_longer_donor_fields",
    "home": "0008_corporate_wall_block",
    "members": "0005_billing_link_purpose",
}
# Apps that did not exist at 8276df7 (their migrations only move models in).
NEW_APPS = {"receipts", "funding", "goods", "core"}
MOVE_MIGRATION = "0015_receipts_funding_models_moved"
MOVED = {
    "receiptcounter": "receipts",
    "receiptbatch": "receipts",
    "receipt": "receipts",
    "receiptlog": "receipts",
    "fundingsettings": "funding",
    "grantincome": "funding",
}
RESULT_MARK = "MIGRATION-FORWARD-RESULT "


# --- The child process ---------------------------------------------------------------------------


def _rows(cursor, table: str) -> list[list[str]]:
    cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 (our own table names)
    return [[str(value) for value in row] for row in cursor.fetchall()]


def _group_permissions(apps) -> dict[str, list[list[str]]]:
    Group = apps.get_model("auth", "Group")
    return {
        group.name: sorted(
            [p.content_type.app_label, p.codename]
            for p in group.permissions.select_related("content_type")
        )
        for group in Group.objects.all()
    }


def _content_types(apps) -> dict[str, list]:
    ContentType = apps.get_model("contenttypes", "ContentType")
    return {
        ct.model: [ct.app_label, ct.pk] for ct in ContentType.objects.filter(model__in=list(MOVED))
    }


def _fill(apps) -> None:
    """One of each moved row, with the models of the previous main."""
    import datetime

    from django.utils import timezone

    Supporter = apps.get_model("members", "Supporter")
    Donation = apps.get_model("donations", "Donation")
    ReceiptCounter = apps.get_model("donations", "ReceiptCounter")
    ReceiptBatch = apps.get_model("donations", "ReceiptBatch")
    Receipt = apps.get_model("donations", "Receipt")
    ReceiptLog = apps.get_model("donations", "ReceiptLog")
    FundingSettings = apps.get_model("donations", "FundingSettings")
    GrantIncome = apps.get_model("donations", "GrantIncome")
    Site = apps.get_model("wagtailcore", "Site")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")

    paid = timezone.now().replace(year=2025, month=6, day=1)
    donor = Supporter.objects.create(
        family_name="山田", given_name="花子", email="hanako@example.jp", postal_code="100-0001"
    )
    gift = Donation.objects.create(
        supporter=donor, kind="one_off", method="card", amount_yen=5000, paid_at=paid
    )
    ReceiptCounter.objects.create(kind="gift", year=2025, last_number=1)
    batch = ReceiptBatch.objects.create(year=2025, status="done", total=1, processed=1)
    receipt = Receipt.objects.create(
        kind="gift",
        year=2025,
        sequence=1,
        number="R2025-000001",
        supporter=donor,
        donation=gift,
        batch=batch,
        donor_name="山田 花子",
        donor_postal_code="100-0001",
        lines=[{"donation": gift.pk, "date": "2025-06-01", "amount_yen": 5000}],
        total_yen=5000,
        issuer={"name": "応援団"},
    )
    ReceiptLog.objects.create(receipt=receipt, action="issued", note="最初の発行")
    FundingSettings.objects.create(
        site=Site.objects.get(is_default_site=True),
        monthly_running_costs_yen=450_000,
        grant_name="地域福祉活動助成金",
        grant_end_date=datetime.date(2026, 3, 31),
    )
    GrantIncome.objects.create(
        received_on=datetime.date(2025, 4, 5), amount_yen=540_000, grantor="さくら野市"
    )
    # A group staff made themselves, holding every permission of the moved models.
    treasurers = Group.objects.create(name="会計チーム")
    treasurers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations", content_type__model__in=MOVED
        )
    )
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get(app_label="donations", model="receipt"),
        object_id=str(receipt.pk),
        label=receipt.number,
        action="wagtail.create",
        timestamp=paid,
    )


def _report(connection, apps, tables: dict[str, str]) -> dict:
    with connection.cursor() as cursor:
        rows = {model: _rows(cursor, table) for model, table in tables.items()}
        cursor.execute(
            "SELECT ct.app_label, ct.model FROM wagtailcore_modellogentry e "
            "JOIN django_content_type ct ON ct.id = e.content_type_id"
        )
        log_entries = [list(row) for row in cursor.fetchall()]
    return {
        "rows": rows,
        "groups": _group_permissions(apps),
        "content_types": _content_types(apps),
        "log_entries": log_entries,
    }


def child_main() -> None:
    import django

    django.setup()
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(targets)
        state = executor.migrate(targets, plan=plan)
        # As `manage.py migrate` does: content types and permissions of every model.
        emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
        return state.apps

    graph = MigrationExecutor(connection).loader.graph
    current = [node for node in graph.leaf_nodes() if node[0] not in NEW_APPS]
    previous = [(app, PREVIOUS_LEAVES.get(app, name)) for app, name in current]
    assert all(node in graph.nodes for node in previous), previous

    apps = migrate(previous)
    _fill(apps)
    before = _report(connection, apps, {model: f"donations_{model}" for model in MOVED})

    # Everything else first, so the last step is the move alone: each group's permissions are
    # then compared across the move only, not across other apps' later grants and revocations.
    move = ("donations", MOVE_MIGRATION)
    before_move = [
        parent
        for node in current
        for parent in (graph.node_map[move].parents if node[0] == "donations" else [node])
    ]
    apps = migrate(before_move)
    middle = _report(connection, apps, {model: f"donations_{model}" for model in MOVED})

    # The move itself (donations' later migrations, e.g. new models' grants, come after it).
    apps = migrate([move if node[0] == "donations" else node for node in graph.leaf_nodes()])
    after = _report(connection, apps, {model: f"{label}_{model}" for model, label in MOVED.items()})
    migrate(graph.leaf_nodes())  # and on to today's leaves
    with connection.cursor() as cursor:
        # The receipt still points at its gift in the donations ledger.
        cursor.execute(
            "SELECT d.amount_yen FROM receipts_receipt r "
            "JOIN donations_donation d ON d.id = r.donation_id"
        )
        after["receipt_gift_amounts"] = [row[0] for row in cursor.fetchall()]
    result = {"before": before, "middle": middle, "after": after}
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False))


# --- The test ----------------------------------------------------------------------------------


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def throwaway_database_url():
    """A new, empty database of the suite's engine, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield "sqlite://:memory:"
        return
    assert connection.vendor == "postgresql", connection.vendor
    import psycopg

    name = f"ouendan_forward_{uuid.uuid4().hex[:12]}"
    admin_url = _postgres_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_previous_main_database_migrates_forward_with_every_row_and_grant(
    throwaway_database_url,
):
    env = {
        **os.environ,
        "DATABASE_URL": throwaway_database_url,
        "DJANGO_SETTINGS_MODULE": "ouendan.settings.test",
    }
    code = "from tests.donations.receipts.test_migration_forward import child_main; child_main()"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK))
    result = json.loads(line.removeprefix(RESULT_MARK))
    before, middle, after = result["before"], result["middle"], result["after"]

    # Every row of every moved table, unchanged, under the new table names.
    assert all(before["rows"][model] for model in MOVED), before["rows"]
    assert after["rows"] == before["rows"]
    assert after["receipt_gift_amounts"] == [5000]

    # Each content type kept its id (so every reference to it holds) and took the new label.
    for model, label in MOVED.items():
        assert before["content_types"][model][0] == "donations"
        assert after["content_types"][model] == [label, before["content_types"][model][1]]
    assert after["log_entries"] == [["receipts", "receipt"]]

    # Each group holds the same permissions, those of the moved models under the new labels.
    def moved(app_label: str, codename: str) -> list[str]:
        model = codename.split("_", 1)[1]
        return [
            MOVED[model] if app_label == "donations" and model in MOVED else app_label,
            codename,
        ]

    def of_moved(permissions) -> list[list[str]]:
        return [p for p in permissions if p[1].split("_", 1)[1] in MOVED]

    # Across the move, each group holds exactly the same permissions, under the new labels.
    assert after["groups"] == {
        group: sorted(moved(*permission) for permission in permissions)
        for group, permissions in middle["groups"].items()
    }
    # The moved models' grants are those the previous main's database held.
    for group, permissions in before["groups"].items():
        assert of_moved(after["groups"][group]) == of_moved(
            sorted(moved(*permission) for permission in permissions)
        ), group
    assert ["receipts", "view_receipt"] in after["groups"]["Finance"]
    assert ["funding", "change_fundingsettings"] in after["groups"]["Finance"]
    assert len(of_moved(after["groups"]["会計チーム"])) == 4 * len(MOVED)
    assert middle["rows"] == before["rows"]

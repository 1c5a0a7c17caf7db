"""A database made by the previous main (commit 8276df7) migrates forward with every row kept.

Since then three groups of models moved to apps of their own: the goods models (donations to
goods), the receipts and funding models (donations to receipts and funding), the outbox and the
organisation settings (home to core). Their rows, content types (same ids, new labels), log
entries and every group's grants on them must come through each move.

The old database is built once, in a child process, on a throwaway database of the engine the
suite runs on (a SQLite file, or a new PostgreSQL database next to the test one): its
migrations, content types and caches never mix with the test database's, which this module
does not use at all. The previous main's empty, migrated database is kept after the first run
(keyed by every migration file, as tests/database_snapshot.py keys the test database), so later
runs start the child from a copy of it. The child migrates with MigrationExecutor to the
previous main's leaves, fills in rows with that state's models, then goes forward one move at a
time, stopping before each (and after the last), as `manage.py migrate` would (post_migrate
after every step). Then it goes back to the previous main's leaves, as the in-process tests this
module replaced did (so every migration since stays reversible), unapplying each migration from
the project state the way forward had before it. It reports what it found at each stop as JSON;
the tests below compare the stops.
"""

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as current_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.utils import timezone
from wagtail.models import Page, Revision

from donations.goods.models import Delivery, DeliveryLine, Pledge, PledgeLine, WishlistItem
from members.groups import EDITORS, FINANCE, MEMBER_STAFF, RENAMED_FROM
from ouendan.core.mail import LINK_HIDDEN
from ouendan.core.models import OrganisationSettings, OutgoingEmail
from tests.database_snapshot import migrations_key

ROOT = Path(__file__).resolve().parents[1]

# The repository's top-level packages (pyproject.toml); their apps are the project's apps.
PROJECT_PACKAGES = {"ouendan", "home", "members", "donations", "campaigns"}
# The project apps' migration leaves at commit 8276df7 (git show 8276df7:<app>/migrations/).
# Project apps it did not have are not migrated at all; other apps are at today's leaves.
PREVIOUS_LEAVES = {
    "campaigns": "0004_template_items_placeholder",
    "donations": "0012_receipt_batch_failures_longer_donor_fields",
    "home": "0008_corporate_wall_block",
    "members": "0005_billing_link_purpose",
}
GOODS_MODELS = {
    "wishlistitem",
    "pledge",
    "pledgeline",
    "delivery",
    "deliveryline",
    "expecteddelivery",
    "corporatewallentry",
    "pledgepage",
}
RECEIPTS_FUNDING_MODELS = {
    "receiptcounter": "receipts",
    "receiptbatch": "receipts",
    "receipt": "receipts",
    "receiptlog": "receipts",
    "fundingsettings": "funding",
    "grantincome": "funding",
}
CORE_MODELS = {"outgoingemail", "organisationsettings"}


@dataclass(frozen=True)
class Move:
    name: str
    source: str  # the models' app label before the move
    models: dict[str, str]  # model name: its app label after the move
    migrations: tuple[tuple[str, str], ...]  # exactly the migrations that make the move


# In graph order: the core move's last migrations depend on the goods move's.
MOVES = (
    Move(
        "goods",
        "donations",
        dict.fromkeys(GOODS_MODELS, "goods"),
        (
            ("goods", "0001_initial"),
            ("campaigns", "0005_goods_goal_wishlist_item_moved"),
            ("donations", "0014_goods_models_moved"),
        ),
    ),
    Move(
        "receipts_funding",
        "donations",
        RECEIPTS_FUNDING_MODELS,
        (
            ("donations", "0015_receipts_funding_models_moved"),
            ("receipts", "0001_initial"),
            ("funding", "0001_initial"),
        ),
    ),
    Move(
        "core",
        "home",
        dict.fromkeys(CORE_MODELS, "core"),
        (
            ("core", "0001_initial"),
            ("campaigns", "0006_outbox_moved_to_core"),
            ("home", "0011_outbox_organisation_moved_to_core"),
        ),
    ),
)
MOVED = {model: label for move in MOVES for model, label in move.models.items()}
RESULT_MARK = "MIGRATION-FORWARD-RESULT "


# --- The child process: the previous main's rows --------------------------------------------------


def _fill_goods(apps) -> dict:
    """Goods rows as the previous main stored them (in the donations app's tables)."""
    Supporter = apps.get_model("members", "Supporter")
    WishlistItemOld = apps.get_model("donations", "WishlistItem")
    PledgeOld = apps.get_model("donations", "Pledge")
    PledgeLineOld = apps.get_model("donations", "PledgeLine")
    DeliveryOld = apps.get_model("donations", "Delivery")
    DeliveryLineOld = apps.get_model("donations", "DeliveryLine")
    PledgePageOld = apps.get_model("donations", "PledgePage")
    ContentTypeOld = apps.get_model("contenttypes", "ContentType")
    PermissionOld = apps.get_model("auth", "Permission")
    GroupOld = apps.get_model("auth", "Group")
    PageOld = apps.get_model("wagtailcore", "Page")
    RevisionOld = apps.get_model("wagtailcore", "Revision")
    LocaleOld = apps.get_model("wagtailcore", "Locale")

    company = Supporter.objects.create(
        kind="organisation", organisation_name="移行テスト株式会社", email="move@example.jp"
    )
    item = WishlistItemOld.objects.create(
        name="お米", category="food", unit="kg", quantity_needed=Decimal("100")
    )
    pledge = PledgeOld.objects.create(
        supporter=company, state="accepted", message="よろしくお願いします", import_reference="M-1"
    )
    line = PledgeLineOld.objects.create(
        pledge=pledge,
        wishlist_item=item,
        category="food",
        description="新米 5kg袋",
        quantity=Decimal("12.5"),
        unit="kg",
        estimated_value_yen=25000,
    )
    delivery = DeliveryOld.objects.create(
        pledge=pledge, received_on=datetime.date(2026, 5, 1), received_by="倉庫担当"
    )
    delivery_line = DeliveryLineOld.objects.create(
        delivery=delivery,
        pledge_line=line,
        wishlist_item=item,
        category="food",
        description="新米 5kg袋",
        quantity=Decimal("10"),
        unit="kg",
        estimated_value_yen=20000,
    )

    page_type, _ = ContentTypeOld.objects.get_or_create(app_label="donations", model="pledgepage")
    root = PageOld.objects.get(depth=1)
    page = PledgePageOld.objects.create(
        title="物品のご寄付（移行）",
        draft_title="物品のご寄付（移行）",
        slug="goods-moved",
        content_type=page_type,
        path=root.path + "ZZZY",  # a free path under the root (treebeard is not in old models)
        depth=root.depth + 1,
        numchild=0,
        url_path=root.url_path + "goods-moved/",
        locale=LocaleOld.objects.first(),
        translation_key=uuid.uuid4(),
        live=True,
        warehouse_address="倉庫の住所",
    )
    revision = RevisionOld.objects.create(
        content_type=page_type,
        base_content_type=ContentTypeOld.objects.get(app_label="wagtailcore", model="page"),
        object_id=str(page.pk),
        created_at=timezone.now(),
        content={"title": page.title, "pk": page.pk},
        object_str=page.title,
    )

    goods_group = GroupOld.objects.create(name="倉庫ボランティア")
    goods_group.permissions.add(
        *PermissionOld.objects.filter(
            content_type__app_label="donations",
            codename__in=["view_pledge", "add_delivery", "change_wishlistitem"],
        ),
        *PermissionOld.objects.filter(content_type__app_label="members", codename="view_supporter"),
    )
    return {
        "item": item.pk,
        "pledge": pledge.pk,
        "line": line.pk,
        "delivery": delivery.pk,
        "delivery_line": delivery_line.pk,
        "page": page.pk,
        "revision": revision.pk,
    }


def _fill_receipts_funding(apps) -> None:
    """One of each receipts and funding row, with the models of the previous main."""
    Supporter = apps.get_model("members", "Supporter")
    Donation = apps.get_model("donations", "Donation")
    ReceiptCounter = apps.get_model("donations", "ReceiptCounter")
    ReceiptBatch = apps.get_model("donations", "ReceiptBatch")
    Receipt = apps.get_model("donations", "Receipt")
    ReceiptLog = apps.get_model("donations", "ReceiptLog")
    FundingSettings = apps.get_model("donations", "FundingSettings")
    GrantIncome = apps.get_model("donations", "GrantIncome")
    Site = apps.get_model("wagtailcore", "Site")
    GroupOld = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentTypeOld = apps.get_model("contenttypes", "ContentType")
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
    treasurers = GroupOld.objects.create(name="会計チーム")
    treasurers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations",
            content_type__model__in=list(RECEIPTS_FUNDING_MODELS),
        )
    )
    ModelLogEntry.objects.create(
        content_type=ContentTypeOld.objects.get(app_label="donations", model="receipt"),
        object_id=str(receipt.pk),
        label=receipt.number,
        action="wagtail.create",
        timestamp=paid,
    )


def _fill_core(apps) -> None:
    """Outbox e-mails, the organisation's settings and two staff-made groups, in home."""
    Email = apps.get_model("home", "OutgoingEmail")
    Settings = apps.get_model("home", "OrganisationSettings")
    Site = apps.get_model("wagtailcore", "Site")
    GroupOld = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentTypeOld = apps.get_model("contenttypes", "ContentType")

    Email.objects.create(
        key="thanks:one_off:donation:1",
        to="a@example.jp",
        subject="ありがとうございます",
        body="ご寄付に感謝します。",
        status="sent",
        attempts=1,
    )
    Email.objects.create(
        key="login_link:3:abc",
        to="b@example.jp",
        subject="ログイン",
        body="https://ouendan.example.jp/portal/login/Zx_9-k/",
        status="pending",
    )
    Email.objects.create(
        key="inkind:accepted:4", to="c@example.jp", subject="s", body="b", status="failed"
    )
    Settings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"name": "さくら野 子どもの未来応援団", "corporate_number": "1234567890123"},
    )
    email_type = ContentTypeOld.objects.get(app_label="home", model="outgoingemail")
    settings_type = ContentTypeOld.objects.get(app_label="home", model="organisationsettings")
    readers = GroupOld.objects.create(name="Outbox readers")
    readers.permissions.add(
        Permission.objects.get(content_type=email_type, codename="view_outgoingemail")
    )
    office = GroupOld.objects.create(name="Office")
    office.permissions.add(
        Permission.objects.get(content_type=settings_type, codename="change_organisationsettings")
    )


# --- The child process: what each stop holds ------------------------------------------------------


def _snapshot(connection, apps) -> dict:
    """The moved models' tables and rows, content types, log entries and every group's grants,
    read with the models of the state the database is in."""
    moved_models = [m for m in apps.get_models() if m._meta.model_name in MOVED]
    names = [m._meta.model_name for m in moved_models]
    assert len(names) == len(set(names)), names  # one app holds each model at every stop
    quote = connection.ops.quote_name
    rows, tables, columns = {}, {}, {}
    with connection.cursor() as cursor:
        for model in moved_models:
            table, pk = model._meta.db_table, model._meta.pk.column
            # Columns by name, not SELECT *: SQLite rebuilds a table to drop a column (a way
            # back), which can change the order of the others.
            # The table's own columns (a page model's inherited fields live in wagtailcore_page).
            names = sorted(f.column for f in model._meta.local_concrete_fields)
            columns[model._meta.model_name] = names
            selected = ", ".join(quote(name) for name in names)
            query = f"SELECT {selected} FROM {quote(table)} ORDER BY {quote(pk)}"  # noqa: S608
            cursor.execute(query)
            rows[model._meta.model_name] = [[str(v) for v in row] for row in cursor.fetchall()]
            tables[model._meta.model_name] = table
        cursor.execute(
            "SELECT ct.app_label, ct.model FROM wagtailcore_modellogentry e "
            "JOIN django_content_type ct ON ct.id = e.content_type_id ORDER BY e.id"
        )
        log_entries = [list(row) for row in cursor.fetchall()]
    GroupState = apps.get_model("auth", "Group")
    ContentTypeState = apps.get_model("contenttypes", "ContentType")
    groups = {
        group.name: sorted(
            [p.content_type.app_label, p.content_type.model, p.codename]
            for p in group.permissions.select_related("content_type")
        )
        for group in GroupState.objects.all()
    }
    content_types = sorted(
        [ct.app_label, ct.model, ct.pk]
        for ct in ContentTypeState.objects.filter(model__in=list(MOVED))
    )
    return {
        "tables": tables,
        "rows": rows,
        "columns": columns,
        "groups": groups,
        "content_types": content_types,
        "log_entries": log_entries,
    }


def _today(connection, ids: dict) -> dict:
    """What today's models read in the migrated database (the snapshots are taken first: this
    adds a wishlist item)."""
    ContentType.objects.clear_cache()  # the migrations renamed content types under it
    item = WishlistItem.objects.get(pk=ids["item"])
    pledge = Pledge.objects.get(pk=ids["pledge"])
    line = PledgeLine.objects.get(pk=ids["line"])
    delivery = Delivery.objects.get(pk=ids["delivery"])
    delivery_line = DeliveryLine.objects.get(pk=ids["delivery_line"])
    page = Page.objects.get(pk=ids["page"])
    goods = {
        "item": [item.name, item.unit, str(item.quantity_needed)],
        "pledge": [pledge.state, pledge.message, pledge.import_reference],
        "pledge_supporter": pledge.supporter.organisation_name,
        "line": [line.pledge_id, line.wishlist_item_id, str(line.quantity)],
        "delivery": [delivery.pledge_id, delivery.received_by],
        "delivery_line": [
            delivery_line.delivery_id,
            delivery_line.pledge_line_id,
            str(delivery_line.quantity),
        ],
        "page_app_label": page.content_type.app_label,
        "page_content_type": page.content_type_id,
        "page_warehouse_address": page.specific.warehouse_address,
        "page_module": type(page.specific).__module__,
        "revision_content_type": Revision.objects.get(pk=ids["revision"]).content_type_id,
        # New rows still get fresh ids after the table rename (sequences on PostgreSQL).
        "new_item": WishlistItem.objects.create(
            name="ノート", category="stationery", unit="items", quantity_needed=5
        ).pk,
    }
    core = {
        "emails": {
            m.key: {
                "to": m.to,
                "subject": m.subject,
                "body": m.body,
                "secret_body": m.secret_body,
                "status": m.status,
                "attempts": m.attempts,
                "category": m.category,
            }
            for m in OutgoingEmail.objects.all()
        },
        "organisations": [[o.name, o.corporate_number] for o in OrganisationSettings.objects.all()],
        "email_type": ContentType.objects.get_for_model(OutgoingEmail).pk,
        "settings_type": ContentType.objects.get_for_model(OrganisationSettings).pk,
    }
    with connection.cursor() as cursor:
        # The receipt still points at its gift in the donations ledger.
        cursor.execute(
            "SELECT d.amount_yen FROM receipts_receipt r "
            "JOIN donations_donation d ON d.id = r.donation_id"
        )
        receipt_gift_amounts = [row[0] for row in cursor.fetchall()]
    return {"goods": goods, "core": core, "receipt_gift_amounts": receipt_gift_amounts}


def _stops(graph) -> list[set]:
    """The sets of migrations applied at each stop: everything but the moves (and what depends
    on them), then each move's migrations added in turn, each step exactly one move."""
    after_moves = {
        key
        for move in MOVES
        for migration in move.migrations
        for key in graph.backwards_plan(migration)
    }
    stops = [set(graph.nodes) - after_moves]
    for move in MOVES:
        reached = stops[-1].union(*(graph.forwards_plan(m) for m in move.migrations))
        assert reached - stops[-1] == set(move.migrations), (move.name, reached - stops[-1])
        stops.append(reached)
    return stops


def _targets(graph, applied: set) -> list[tuple[str, str | None]]:
    """Per app, the last of its migrations in `applied` (None: none), as `migrate app name`."""
    targets = []
    for app in sorted({app for app, _ in graph.nodes}):
        last = [
            key
            for key in applied
            if key[0] == app
            and not any(c.key in applied and c.key[0] == app for c in graph.node_map[key].children)
        ]
        assert len(last) <= 1, last
        targets.append(last[0] if last else (app, None))
    return targets


def child_main() -> None:
    """Run in a child process with Django set up and DATABASE_URL an empty database."""
    from django.core.management.sql import emit_post_migrate_signal
    from django.db.migrations.executor import MigrationExecutor

    def applied_apps():
        # The models of what is applied now, freshly rendered: the run's own state can hold
        # related models of an earlier rendering ("must be a Pledge instance"), and after a
        # way back, the models of migrations it unapplied.
        loader = MigrationExecutor(connection).loader
        applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
        return loader.project_state(applied).apps  # (not the squashed migrations' parts)

    # The project state before each migration this process applied, as the way forward had it.
    states_before = {}

    class Executor(MigrationExecutor):
        """Django's executor, except that a way back unapplies each migration (Django's own
        unapply, in Django's order) from the state the way forward had before it: Django would
        compute those states again, mutating a rendered project state through every migration
        since the first it unapplies, which took a third of the child's time."""

        def apply_migration(self, state, migration, fake=False, fake_initial=False):
            states_before[migration.app_label, migration.name] = state.clone()
            return super().apply_migration(state, migration, fake, fake_initial)

        def _migrate_all_backwards(self, plan, full_plan, fake):
            if any((m.app_label, m.name) not in states_before for m, _ in plan):
                return super()._migrate_all_backwards(plan, full_plan, fake)
            for migration, _ in plan:
                state = states_before.pop((migration.app_label, migration.name))
                self.unapply_migration(state, migration, fake=fake)
            self.loader.build_graph()  # reads what is applied now
            return self._create_project_state(with_applied_migrations=True)

    def migrate(targets):
        executor = Executor(connection)
        plan = executor.migration_plan(targets)
        executor.migrate(targets, plan=plan)
        apps = applied_apps()
        # As `manage.py migrate` does: content types and permissions of every model.
        emit_post_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
        return apps

    graph = MigrationExecutor(connection).loader.graph
    project = {
        config.label
        for config in current_apps.get_app_configs()
        if config.name.split(".")[0] in PROJECT_PACKAGES
    }
    previous = [
        (app, PREVIOUS_LEAVES.get(app) if app in project else name)
        for app, name in graph.leaf_nodes()
    ]
    assert all(node in graph.nodes for node in previous if node[1]), previous
    assert PREVIOUS_LEAVES.keys() <= {app for app, name in previous if name}, previous

    # The previous main's database, empty: copied in by the parent from an earlier run's
    # snapshot (same migration files), or migrated here and kept as that snapshot.
    snapshot = os.environ.get("FORWARD_SNAPSHOT", "")
    if snapshot == "restored":
        apps = applied_apps()
        assert {key for key in previous if key[1]} <= set(
            MigrationExecutor(connection).loader.applied_migrations
        ), "the snapshot is not at the previous main's leaves"
    else:
        apps = migrate(previous)
        states_before.clear()  # never unapplied
        if snapshot:
            _snapshot_save(snapshot)
    ids = _fill_goods(apps)
    _fill_receipts_funding(apps)
    _fill_core(apps)
    snapshots = {"previous": _snapshot(connection, apps)}

    # Stop before each move and after the last, then go on to today's leaves (if any later
    # migration depends on a move).
    stops = _stops(graph)
    snapshots["stops"] = []
    for applied in stops:
        apps = migrate(_targets(graph, applied))
        snapshots["stops"].append(_snapshot(connection, apps))
    if stops[-1] != set(graph.nodes):
        apps = migrate(graph.leaf_nodes())
    snapshots["today"] = _snapshot(connection, apps)

    today = _today(connection, ids)

    # And back to the previous main's leaves: every migration since can be unapplied.
    apps = migrate(previous)
    snapshots["back"] = _snapshot(connection, apps)

    result = {"ids": ids, "snapshots": snapshots, "today": today}
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False))


# --- The tests -----------------------------------------------------------------------------------


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


# One process runs the module's tests, and builds the old database once per process (session
# scope): a module-scoped build was made twice when other tests ran between these on a worker.
pytestmark = pytest.mark.xdist_group("migration-forward")


def _snapshot_name() -> str:
    """The previous main's migrated, empty database, named by everything it is made from."""
    leaves = json.dumps(sorted(PREVIOUS_LEAVES.items())).encode()
    key = migrations_key(connection.vendor) + hashlib.sha256(leaves).hexdigest()[:8]
    return f"forward_{key}"


def _snapshot_save(where: str) -> None:
    """In the child, right after migrating to the previous main: keep the database for the next
    run (a file for SQLite, a template database on PostgreSQL). Written aside and renamed, or
    created in one statement, so a half-made snapshot is never found."""
    connection.close()
    if connection.vendor == "sqlite":
        partial = Path(f"{where}.partial")
        source, target = sqlite3.connect(connection.settings_dict["NAME"]), sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        partial.replace(where)
        return
    name = connection.settings_dict["NAME"]
    # (Another run may have made the same snapshot meanwhile.)
    with connection._nodb_cursor() as cursor, contextlib.suppress(DatabaseError):
        cursor.execute(f'CREATE DATABASE "{where}" TEMPLATE "{name}"')  # noqa: S608


@pytest.fixture(scope="session")
def forward(tmp_path_factory) -> dict:
    """The child's report: the ids it filled in, the snapshots (previous; stops: before each
    move and after the last; today; back at the previous main's leaves) and what today's models
    read. The child works on a throwaway database of the suite's engine, which starts as the
    previous main's empty database when an earlier run kept one (tests/database_snapshot.py
    keys it the same way), and is dropped afterwards."""
    snapshot = _snapshot_name()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ouendan.settings.test"}
    if connection.vendor == "sqlite":
        database = tmp_path_factory.mktemp("forward") / "previous-main.sqlite3"
        kept = Path(settings.DATA_DIR) / "test-db-cache" / f"{snapshot}.sqlite3"
        kept.parent.mkdir(parents=True, exist_ok=True)
        if kept.exists():
            shutil.copyfile(kept, database)
            os.utime(kept)  # in use: not pruned (tests/database_snapshot.py)
            env["FORWARD_SNAPSHOT"] = "restored"
        else:
            env["FORWARD_SNAPSHOT"] = str(kept)
        env["DATABASE_URL"] = f"sqlite:///{database}"
        yield _run_child(env)
        return
    assert connection.vendor == "postgresql", connection.vendor
    import psycopg

    name = f"ouendan_forward_{uuid.uuid4().hex[:12]}"
    admin_url = _postgres_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        kept = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [snapshot]).fetchone()
        template = f' TEMPLATE "{snapshot}"' if kept else ""
        admin.execute(f'CREATE DATABASE "{name}"{template}')
    env["FORWARD_SNAPSHOT"] = "restored" if kept else snapshot
    env["DATABASE_URL"] = _postgres_url(name)
    try:
        yield _run_child(env)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_child(env: dict) -> dict:
    code = "import django; django.setup(); import tests.test_migration_forward as t; t.child_main()"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK))
    return json.loads(line.removeprefix(RESULT_MARK))


def _label(app: str, model: str, moves) -> str:
    """A model's app label after the given moves."""
    for move in moves:
        if app == move.source and model in move.models:
            app = move.models[model]
    return app


def _relabelled(permissions, moves) -> set[tuple[str, str, str]]:
    """Grants (app label, model, codename) as they read after the given moves."""
    return {(_label(app, model, moves), model, codename) for app, model, codename in permissions}


def _groups(snapshot) -> dict[str, set[tuple[str, str, str]]]:
    """Each group's grants, under the group's name in the previous main: today's staff groups
    have Japanese names (members/0012), mapped back through RENAMED_FROM."""
    return {
        RENAMED_FROM.get(name, name): {tuple(p) for p in grants}
        for name, grants in snapshot["groups"].items()
    }


def _content_type(snapshot, app_label: str, model: str) -> int:
    (pk,) = [pk for app, name, pk in snapshot["content_types"] if (app, name) == (app_label, model)]
    return pk


def test_each_move_keeps_every_row_content_type_log_entry_and_grant(forward):
    """Across each move alone: the same rows, the same content type rows under the new label,
    log entries pointing at them, and each group holding exactly the same permissions."""
    stops = forward["snapshots"]["stops"]
    assert len(stops) == len(MOVES) + 1
    for move, before, after in zip(MOVES, stops, stops[1:], strict=False):
        assert set(before["rows"]) == set(after["rows"]) == set(MOVED), move.name
        assert after["rows"] == before["rows"], move.name
        assert after["content_types"] == sorted(
            [_label(app, model, [move]), model, pk] for app, model, pk in before["content_types"]
        ), move.name
        assert after["log_entries"] == [
            [_label(app, model, [move]), model] for app, model in before["log_entries"]
        ], move.name
        assert _groups(after) == {
            name: _relabelled(grants, [move]) for name, grants in _groups(before).items()
        }, move.name
        # The move really happened: its models are no longer under the old label.
        assert {app for app, model, _ in after["content_types"] if model in move.models} == set(
            move.models.values()
        ), move.name


def test_every_migration_since_the_previous_main_can_be_unapplied(forward):
    """Back at the previous main's leaves: the same content type rows under the old labels, the
    same grants for every group, the same log entries and rows (today's models added a wishlist
    item; home/0010's redacted links stay redacted, so e-mails are compared by key)."""
    previous, back = forward["snapshots"]["previous"], forward["snapshots"]["back"]
    assert back["tables"] == previous["tables"]
    assert back["content_types"] == previous["content_types"]
    assert back["log_entries"] == previous["log_entries"]
    assert _groups(back) == _groups(previous)
    # The staff groups' English names are back (members/0012 undone) and were Japanese today.
    assert set(RENAMED_FROM.values()) <= set(back["groups"]) == set(previous["groups"])
    today = set(forward["snapshots"]["today"]["groups"])
    assert set(RENAMED_FROM) <= today and not set(RENAMED_FROM.values()) & today
    kept = set(MOVED) - {"wishlistitem", "outgoingemail"}
    assert {m: back["rows"][m] for m in kept} == {m: previous["rows"][m] for m in kept}
    assert back["rows"]["wishlistitem"][:-1] == previous["rows"]["wishlistitem"]
    key = previous["columns"]["outgoingemail"].index("key")
    assert back["columns"]["outgoingemail"] == previous["columns"]["outgoingemail"]
    assert [row[key] for row in back["rows"]["outgoingemail"]] == [
        row[key] for row in previous["rows"]["outgoingemail"]
    ]


def test_goods_rows_pages_and_grants_move_to_the_goods_app(forward):
    """(Was tests/donations/goods/test_migration_forward.py.)"""
    ids, today = forward["ids"], forward["today"]["goods"]
    before = _groups(forward["snapshots"]["previous"])
    after = _groups(forward["snapshots"]["today"])
    assert any(
        app == "donations" and model in GOODS_MODELS for g in before.values() for app, model, _ in g
    )

    assert (today["item"][0], today["item"][1], Decimal(today["item"][2])) == (
        "お米",
        "kg",
        Decimal("100"),
    )
    assert today["pledge"] == ["accepted", "よろしくお願いします", "M-1"]
    assert today["pledge_supporter"] == "移行テスト株式会社"
    line = today["line"]
    assert (line[0], line[1], Decimal(line[2])) == (ids["pledge"], ids["item"], Decimal("12.5"))
    assert today["delivery"] == [ids["pledge"], "倉庫担当"]
    delivery_line = today["delivery_line"]
    assert (delivery_line[0], delivery_line[1], Decimal(delivery_line[2])) == (
        ids["delivery"],
        ids["line"],
        Decimal("10"),
    )
    # New rows still get fresh ids after the table rename (sequences on PostgreSQL).
    assert today["new_item"] > ids["item"]

    assert today["page_app_label"] == "goods"
    assert today["page_warehouse_address"] == "倉庫の住所"
    assert today["page_module"] == "donations.goods.pages"
    assert today["revision_content_type"] == today["page_content_type"]

    # Each group holds the same goods permissions, now under "goods" (later migrations of other
    # apps may change their own grants, so those are not compared).
    for name, permissions in before.items():
        goods_before = {
            ("goods", model, codename)
            for app, model, codename in permissions
            if app == "donations" and model in GOODS_MODELS
        }
        goods_after = {p for p in after[name] if p[1] in GOODS_MODELS}
        assert goods_after == goods_before, name
    assert after["倉庫ボランティア"] == {
        ("goods", "pledge", "view_pledge"),
        ("goods", "delivery", "add_delivery"),
        ("goods", "wishlistitem", "change_wishlistitem"),
        ("members", "supporter", "view_supporter"),
    }
    assert not [
        ct
        for ct in forward["snapshots"]["today"]["content_types"]
        if ct[0] == "donations" and ct[1] in GOODS_MODELS
    ]


def test_receipts_and_funding_rows_and_grants_move_to_their_apps(forward):
    """(Was tests/donations/receipts/test_migration_forward.py.)"""
    snapshots = forward["snapshots"]
    before, after = snapshots["previous"], snapshots["today"]
    move = [m.name for m in MOVES].index("receipts_funding")
    middle, moved = snapshots["stops"][move], snapshots["stops"][move + 1]

    def rows(snapshot) -> dict:
        return {model: snapshot["rows"][model] for model in RECEIPTS_FUNDING_MODELS}

    # Every row of every moved table, unchanged, under the new table names.
    assert all(rows(before).values()), before["rows"]
    assert rows(after) == rows(before)
    assert rows(middle) == rows(before)
    for model, label in RECEIPTS_FUNDING_MODELS.items():
        assert before["tables"][model] == f"donations_{model}"
        assert after["tables"][model] == f"{label}_{model}"
    assert forward["today"]["receipt_gift_amounts"] == [5000]

    # Each content type kept its id (so every reference to it holds) and took the new label.
    for model, label in RECEIPTS_FUNDING_MODELS.items():
        pk = _content_type(before, "donations", model)
        assert _content_type(after, label, model) == pk
    assert after["log_entries"] == [["receipts", "receipt"]]

    def of_moved(permissions) -> set:
        return {p for p in permissions if p[1] in RECEIPTS_FUNDING_MODELS}

    # Across the move, each group holds exactly the same permissions, under the new labels; and
    # so on past the last move, the later moves relabelling only their own models (later
    # migrations may grant more, e.g. Finance's programmes).
    assert _groups(moved) == {
        group: _relabelled(grants, MOVES[move : move + 1])
        for group, grants in _groups(middle).items()
    }
    assert _groups(snapshots["stops"][-1]) == {
        group: _relabelled(grants, MOVES[move:]) for group, grants in _groups(middle).items()
    }
    # The moved models' grants are those the previous main's database held.
    for group, grants in _groups(before).items():
        assert of_moved(_groups(after)[group]) == of_moved(_relabelled(grants, MOVES)), group
    finance = _groups(after)[RENAMED_FROM[FINANCE]]
    assert ("receipts", "receipt", "view_receipt") in finance
    assert ("funding", "fundingsettings", "change_fundingsettings") in finance
    assert len(of_moved(_groups(after)["会計チーム"])) == 4 * len(RECEIPTS_FUNDING_MODELS)


def test_outbox_and_organisation_rows_and_their_grants_move_to_core(forward):
    """(Was tests/site/core/test_migration_forward.py.)"""
    today = forward["today"]["core"]
    before, after = forward["snapshots"]["previous"], forward["snapshots"]["today"]

    emails = today["emails"]
    assert set(emails) == {"thanks:one_off:donation:1", "login_link:3:abc", "inkind:accepted:4"}
    thanks = emails["thanks:one_off:donation:1"]
    assert [thanks[f] for f in ("to", "subject", "body", "status", "attempts")] == [
        "a@example.jp",
        "ありがとうございます",
        "ご寄付に感謝します。",
        "sent",
        1,
    ]
    assert thanks["category"] == OutgoingEmail.Category.MONEY  # home/0010 on the way
    login = emails["login_link:3:abc"]
    assert login["body"] == LINK_HIDDEN and "portal/login/Zx_9-k/" in login["secret_body"]
    assert emails["inkind:accepted:4"]["status"] == "failed"

    assert today["organisations"] == [["さくら野 子どもの未来応援団", "1234567890123"]]

    # The same content type rows, now core's: everything pointing at them followed.
    assert today["email_type"] == _content_type(before, "home", "outgoingemail")
    assert today["settings_type"] == _content_type(before, "home", "organisationsettings")
    assert not [ct for ct in after["content_types"] if ct[0] == "home" and ct[1] in CORE_MODELS]

    groups = _groups(after)

    def grants(name: str) -> set[str]:
        return {f"{app}.{codename}" for app, _, codename in groups[name]}

    assert grants("Outbox readers") == {"core.view_outgoingemail"}
    assert grants("Office") == {"core.change_organisationsettings"}
    assert {"core.view_outgoingemail", "core.view_money_email"} <= grants(RENAMED_FROM[FINANCE])
    staff_and_editors = grants(RENAMED_FROM[MEMBER_STAFF]) | grants(RENAMED_FROM[EDITORS])
    assert "core.view_money_email" not in staff_and_editors

"""A database made by the previous main (goods models in the donations app) migrates forward to
the goods app with every row kept: wishlist, pledges and deliveries with their lines, the pledge
page (and its revision), and each group's permissions, now under "goods".

The database is taken back to the project's migration leaves of commit 8276df7 (the goods app
did not exist), filled through the historical models, then migrated forward again. Runs on
whichever database the suite uses (SQLite, or PostgreSQL with DATABASE_URL).
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from wagtail.models import Page, Revision

from donations.goods.models import Delivery, DeliveryLine, Pledge, PledgeLine, WishlistItem

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROJECT_PACKAGES = {"ouendan", "home", "members", "donations", "campaigns"}
# The project's migration leaves at commit 8276df7 (the previous main); apps of the project
# that did not exist then are taken back to nothing.
PREVIOUS_LEAVES = {
    "members": "0005_billing_link_purpose",
    "donations": "0012_receipt_batch_failures_longer_donor_fields",
    "campaigns": "0004_template_items_placeholder",
    "home": "0008_corporate_wall_block",
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


def _previous_targets(executor) -> list[tuple[str, str | None]]:
    project_labels = {
        config.label
        for config in current_apps.get_app_configs()
        if config.name.split(".")[0] in PROJECT_PACKAGES
    }
    targets = [
        (app, name) for app, name in executor.loader.graph.leaf_nodes() if app not in project_labels
    ]
    targets += [(label, PREVIOUS_LEAVES.get(label)) for label in sorted(project_labels)]
    return targets


def _group_permissions(group_model) -> dict[str, set[tuple[str, str, str]]]:
    return {
        group.name: {
            (p.content_type.app_label, p.content_type.model, p.codename)
            for p in group.permissions.select_related("content_type")
        }
        for group in group_model.objects.prefetch_related("permissions")
    }


def _fill_previous(old_apps) -> dict:
    """Goods rows as the previous main stored them (in the donations app's tables)."""
    Supporter = old_apps.get_model("members", "Supporter")
    WishlistItemOld = old_apps.get_model("donations", "WishlistItem")
    PledgeOld = old_apps.get_model("donations", "Pledge")
    PledgeLineOld = old_apps.get_model("donations", "PledgeLine")
    DeliveryOld = old_apps.get_model("donations", "Delivery")
    DeliveryLineOld = old_apps.get_model("donations", "DeliveryLine")
    PledgePageOld = old_apps.get_model("donations", "PledgePage")
    ContentTypeOld = old_apps.get_model("contenttypes", "ContentType")
    PermissionOld = old_apps.get_model("auth", "Permission")
    GroupOld = old_apps.get_model("auth", "Group")
    PageOld = old_apps.get_model("wagtailcore", "Page")
    RevisionOld = old_apps.get_model("wagtailcore", "Revision")
    LocaleOld = old_apps.get_model("wagtailcore", "Locale")

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


def test_previous_main_database_migrates_forward_with_goods_kept():
    executor = MigrationExecutor(connection)
    current = executor.loader.graph.leaf_nodes()
    previous = _previous_targets(executor)
    try:
        executor.migrate(previous)
        executor.loader.build_graph()
        old_apps = executor.loader.project_state([t for t in previous if t[1]]).apps
        ids = _fill_previous(old_apps)
        before = _group_permissions(old_apps.get_model("auth", "Group"))
        assert any(
            app == "donations" and model in GOODS_MODELS
            for g in before.values()
            for app, model, _ in g
        )

        executor = MigrationExecutor(connection)
        executor.migrate(current)
    finally:
        # Whatever happened, leave the database at today's migrations for the other tests, and
        # the content type cache filled again (the migration cleared it): tests that restore
        # the serialized database look content types up while it is still empty.
        MigrationExecutor(connection).migrate(current)
        ContentType.objects.clear_cache()
        ContentType.objects.get_for_models(*current_apps.get_models())

    item = WishlistItem.objects.get(pk=ids["item"])
    assert (item.name, item.unit, item.quantity_needed) == ("お米", "kg", Decimal("100"))
    pledge = Pledge.objects.get(pk=ids["pledge"])
    assert (pledge.state, pledge.message, pledge.import_reference) == (
        "accepted",
        "よろしくお願いします",
        "M-1",
    )
    assert pledge.supporter.organisation_name == "移行テスト株式会社"
    line = PledgeLine.objects.get(pk=ids["line"])
    assert (line.pledge_id, line.wishlist_item_id, line.quantity) == (
        pledge.pk,
        item.pk,
        Decimal("12.5"),
    )
    delivery = Delivery.objects.get(pk=ids["delivery"])
    assert (delivery.pledge_id, delivery.received_by) == (pledge.pk, "倉庫担当")
    delivery_line = DeliveryLine.objects.get(pk=ids["delivery_line"])
    assert (delivery_line.delivery_id, delivery_line.pledge_line_id, delivery_line.quantity) == (
        delivery.pk,
        line.pk,
        Decimal("10"),
    )
    # New rows still get fresh ids after the table rename (sequences on PostgreSQL).
    assert (
        WishlistItem.objects.create(
            name="ノート", category="stationery", unit="items", quantity_needed=5
        ).pk
        > item.pk
    )

    page = Page.objects.get(pk=ids["page"])
    assert page.content_type.app_label == "goods"
    assert page.specific.warehouse_address == "倉庫の住所"
    assert type(page.specific).__module__ == "donations.goods.pages"
    revision = Revision.objects.get(pk=ids["revision"])
    assert revision.content_type == page.content_type

    # Each group holds the same goods permissions, now under "goods" (later migrations of other
    # apps may change their own grants, so those are not compared).
    after = _group_permissions(Group)
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
    assert not ContentType.objects.filter(app_label="donations", model__in=GOODS_MODELS).exists()

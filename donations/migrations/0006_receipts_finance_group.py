from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

RECEIPT_PERMISSIONS = [
    "view_receipt",
    "add_receipt",  # issue receipts and certificates
    "change_receipt",  # void, reissue, issue corrected ones
    "view_receiptbatch",
    "add_receiptbatch",  # start a year's batch
    "view_receiptlog",
]


def grant(apps, schema_editor):
    """Receipts carry names, addresses and amounts: only Finance handles them."""
    group_permissions_grant(apps, group="Finance", app_label="donations", codenames=RECEIPT_PERMISSIONS)


def revoke(apps, schema_editor):
    group_permissions_revoke(apps, group="Finance", app_label="donations", codenames=RECEIPT_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0005_receipts"),
        ("donations", "0003_finance_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

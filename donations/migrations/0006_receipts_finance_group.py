from django.contrib.auth.management import create_permissions
from django.db import migrations

RECEIPT_PERMISSIONS = [
    "view_receipt",
    "add_receipt",  # issue receipts and certificates
    "change_receipt",  # void, reissue, issue corrected ones
    "view_receiptbatch",
    "add_receiptbatch",  # start a year's batch
    "view_receiptlog",
]


def grant_finance(apps, schema_editor):
    """Receipts carry names, addresses and amounts: only Finance handles them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations", codename__in=RECEIPT_PERMISSIONS
        )
    )


def revoke_finance(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    finance = Group.objects.filter(name="Finance").first()
    if finance:
        finance.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="donations", codename__in=RECEIPT_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0005_receipts"),
        ("donations", "0003_finance_group"),
    ]

    operations = [migrations.RunPython(grant_finance, revoke_finance)]

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

PROGRAMME_PERMISSIONS = ["view_programme", "add_programme", "change_programme", "delete_programme"]


def grant(apps, schema_editor):
    """Programmes sort the money: Finance keeps the list (Settings-like snippet)."""
    group_permissions_grant(
        apps, group="Finance", app_label="donations", codenames=PROGRAMME_PERMISSIONS
    )


def revoke(apps, schema_editor):
    group_permissions_revoke(
        apps, group="Finance", app_label="donations", codenames=PROGRAMME_PERMISSIONS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0016_programme"),
        ("donations", "0003_finance_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

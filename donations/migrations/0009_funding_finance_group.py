from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

FUNDING_PERMISSIONS = [
    "view_grantincome",
    "add_grantincome",
    "change_grantincome",
    "delete_grantincome",
    "view_fundingsettings",
    "change_fundingsettings",  # Settings → Funding (running costs, the grant)
]


def grant(apps, schema_editor):
    """Grant income and running costs are money: only Finance enters them."""
    group_permissions_grant(apps, group="Finance", app_label="donations", codenames=FUNDING_PERMISSIONS)


def revoke(apps, schema_editor):
    group_permissions_revoke(apps, group="Finance", app_label="donations", codenames=FUNDING_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0008_funding_settings_grant_income"),
        ("donations", "0003_finance_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

from django.contrib.auth.management import create_permissions
from django.db import migrations

FUNDING_PERMISSIONS = [
    "view_grantincome",
    "add_grantincome",
    "change_grantincome",
    "delete_grantincome",
    "view_fundingsettings",
    "change_fundingsettings",  # Settings → Funding (running costs, the grant)
]


def grant_finance(apps, schema_editor):
    """Grant income and running costs are money: only Finance enters them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations", codename__in=FUNDING_PERMISSIONS
        )
    )


def revoke_finance(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    finance = Group.objects.filter(name="Finance").first()
    if finance:
        finance.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="donations", codename__in=FUNDING_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0008_funding_settings_grant_income"),
        ("donations", "0003_finance_group"),
    ]

    operations = [migrations.RunPython(grant_finance, revoke_finance)]

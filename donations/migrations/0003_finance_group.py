from django.contrib.auth.management import create_permissions
from django.db import migrations

FINANCE_PERMISSIONS = [
    "view_donation",
    "add_donation",
    "change_donation",
    "view_recurringdonation",
    "view_stripeevent",
    "view_checkoutrequest",
]


def grant_finance(apps, schema_editor):
    """Finance sees and records money; no other staff group gets these permissions."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations", codename__in=FINANCE_PERMISSIONS
        ),
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
    )


def revoke_finance(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    finance = Group.objects.filter(name="Finance").first()
    if finance:
        finance.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="donations", codename__in=FINANCE_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0002_donate_page"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant_finance, revoke_finance)]

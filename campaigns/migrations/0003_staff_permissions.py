"""Staff permissions for thanking donors.

- Editors: edit the thank-you templates (they are content, like pages).
- Finance: the same, plus bulk thank-yous to donors and the thank-you log.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEMPLATE_PERMISSIONS = [
    "add_thankyoutemplate",
    "change_thankyoutemplate",
    "delete_thankyoutemplate",
    "view_thankyoutemplate",
]
FINANCE_PERMISSIONS = TEMPLATE_PERMISSIONS + [
    "view_thankyoulog",
    "add_thankyoubatch",
    "view_thankyoubatch",
    "send_thankyoubatch",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("campaigns")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    campaigns = Permission.objects.filter(content_type__app_label="campaigns")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*campaigns.filter(codename__in=TEMPLATE_PERMISSIONS))
    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(*campaigns.filter(codename__in=FINANCE_PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    campaigns = Permission.objects.filter(content_type__app_label="campaigns")
    for group in Group.objects.filter(name__in=["Editors", "Finance"]):
        group.permissions.remove(*campaigns)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_review_workflow"),
        ("members", "0003_staff_groups"),
        ("donations", "0003_finance_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

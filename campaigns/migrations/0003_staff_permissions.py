"""Staff permissions for thanking donors.

- Editors: edit the thank-you templates (they are content, like pages).
- Finance: the same, plus bulk thank-yous to donors and the thank-you log.
"""

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

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
    for group, codenames in (("Editors", TEMPLATE_PERMISSIONS), ("Finance", FINANCE_PERMISSIONS)):
        group_permissions_grant(apps, group=group, app_label="campaigns", codenames=codenames)


def revoke(apps, schema_editor):
    for group, codenames in (("Editors", TEMPLATE_PERMISSIONS), ("Finance", FINANCE_PERMISSIONS)):
        group_permissions_revoke(apps, group=group, app_label="campaigns", codenames=codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_review_workflow"),
        ("members", "0003_staff_groups"),
        ("donations", "0003_finance_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

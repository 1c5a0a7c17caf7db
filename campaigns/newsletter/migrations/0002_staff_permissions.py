"""Staff permissions for mail news: Editors (who write the issues) and Member staff keep the
audiences and send mailings. Neither screen shows an address: the report gives counts only."""

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke
from members.groups import EDITORS, MEMBER_STAFF

PERMISSIONS = [
    "add_audiencesegment",
    "change_audiencesegment",
    "delete_audiencesegment",
    "view_audiencesegment",
    "view_mailing",
    "send_mailing",
]


def grant(apps, schema_editor):
    for group in (EDITORS, MEMBER_STAFF):
        group_permissions_grant(apps, group=group, app_label="newsletter", codenames=PERMISSIONS)


def revoke(apps, schema_editor):
    for group in (EDITORS, MEMBER_STAFF):
        group_permissions_revoke(apps, group=group, app_label="newsletter", codenames=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("members", "0012_staff_groups_japanese_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

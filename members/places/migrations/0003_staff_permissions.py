"""Member staff (会員担当) manage the places: add, change, view and delete them (schedules and
photos are edited inside a place). Editors and Finance get nothing here."""

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

PLACE_PERMISSIONS = ["add_place", "change_place", "delete_place", "view_place"]


def grant(apps, schema_editor):
    group_permissions_grant(
        apps, group="会員担当", app_label="places", codenames=PLACE_PERMISSIONS
    )


def revoke(apps, schema_editor):
    group_permissions_revoke(
        apps, group="会員担当", app_label="places", codenames=PLACE_PERMISSIONS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0002_place_details"),
        ("members", "0012_staff_groups_japanese_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

PERMISSIONS = [
    "view_staffimpactfigure",
    "add_staffimpactfigure",
    "change_staffimpactfigure",
    "delete_staffimpactfigure",
]


def grant(apps, schema_editor):
    """Editors keep the public figures up to date, including the few that staff count."""
    group_permissions_grant(apps, group="Editors", app_label="home", codenames=PERMISSIONS)


def revoke(apps, schema_editor):
    group_permissions_revoke(apps, group="Editors", app_label="home", codenames=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0006_live_impact_block"),
        ("members", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

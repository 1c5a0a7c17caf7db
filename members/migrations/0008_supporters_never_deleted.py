"""Nobody deletes a supporter: only anonymisation removes a person (members/privacy.py), keeping
the accounting records for seven years. Takes `delete_supporter` from every group; the admin's
permission policy (members/admin_views.py) refuses the delete screen to superusers too."""

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke_everywhere


def revoke(apps, schema_editor):
    group_permissions_revoke_everywhere(apps, app_label="members", codenames=["delete_supporter"])


def grant_back(apps, schema_editor):
    group_permissions_grant(
        apps, group="Member staff", app_label="members", codenames=["delete_supporter"]
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0007_import_warnings_cancelled")]

    operations = [migrations.RunPython(revoke, grant_back)]

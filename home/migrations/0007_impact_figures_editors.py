from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "view_staffimpactfigure",
    "add_staffimpactfigure",
    "change_staffimpactfigure",
    "delete_staffimpactfigure",
]


def grant_editors(apps, schema_editor):
    """Editors keep the public figures up to date, including the few that staff count."""
    app_config = apps.get_app_config("home")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="home", codename__in=PERMISSIONS)
    )


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="home", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0006_live_impact_block"),
        ("members", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]

"""Grant and revoke staff-group permissions from data migrations.

Migrations call these with their historical `apps`, so this module must only use models through
`apps` and must keep working for every migration that calls it.
"""

from django.contrib.auth.management import create_permissions


def _permissions(apps, app_label: str, codenames: list[str]):
    # Permissions of models added in the same run are only created after all migrations:
    # create them now so the grant finds them.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def group_permissions_grant(apps, *, group: str, app_label: str, codenames: list[str]) -> None:
    Group = apps.get_model("auth", "Group")
    staff_group, _ = Group.objects.get_or_create(name=group)
    staff_group.permissions.add(*_permissions(apps, app_label, codenames))


def group_permissions_revoke(apps, *, group: str, app_label: str, codenames: list[str]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff_group = Group.objects.filter(name=group).first()
    if staff_group is not None:
        staff_group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def group_permissions_revoke_everywhere(apps, *, app_label: str, codenames: list[str]) -> None:
    """Take permissions from every group, including groups staff made themselves."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    for group in Group.objects.filter(permissions__in=permissions).distinct():
        group.permissions.remove(*permissions)

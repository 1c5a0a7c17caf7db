"""A database migrated by the previous main (commit 8276df7) migrates forward with nothing lost.

The outbox and the organisation settings moved from home to core by state alone (same tables)
and their content types were renamed, so the e-mails, the settings and every group's grants on
them must come through. Runs on whichever database the suite uses (CI: SQLite and PostgreSQL).
"""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from ouendan.core.mail import LINK_HIDDEN
from ouendan.core.models import OrganisationSettings, OutgoingEmail

# The migration leaves of the previous main's apps (git show 8276df7:<app>/migrations/).
PREVIOUS_LEAVES = {
    "home": "0008_corporate_wall_block",
    "members": "0005_billing_link_purpose",
    "donations": "0012_receipt_batch_failures_longer_donor_fields",
    "campaigns": "0004_template_items_placeholder",
}

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# The repository's top-level packages (pyproject.toml); their apps are the project's apps.
PROJECT_PACKAGES = {"ouendan", "home", "members", "donations", "campaigns"}


def project_apps() -> set[str]:
    """Labels of the project's apps with migrations (core and any app added since)."""
    return {
        config.label
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in PROJECT_PACKAGES
        and MigrationLoader.migrations_module(config.label)[0] is not None
    }


def previous_targets() -> list[tuple[str, str | None]]:
    """The previous main's leaves; project apps it did not have are not migrated at all."""
    targets = list(PREVIOUS_LEAVES.items())
    targets += [(app, None) for app in sorted(project_apps() - PREVIOUS_LEAVES.keys())]
    return targets


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def content_types_cached_again():
    """Leave the content type cache warm, as the suite had it: the migrations empty it, and the
    next transactional test restores its rows while saving models whose signal handlers look
    a content type up (a cold cache would insert duplicate rows there). Called before the
    test's flush, while the rows are still there."""
    ContentType.objects.clear_cache()
    for concrete in (True, False):
        ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=concrete)


def test_outbox_and_organisation_rows_and_their_grants_survive_the_move_to_core():
    try:
        migrate_from_previous_main_and_check()
    finally:
        content_types_cached_again()


def migrate_from_previous_main_and_check():
    executor = MigrationExecutor(connection)
    old = previous_targets()
    current = executor.loader.graph.leaf_nodes()
    executor = migrate(old)
    old_apps = executor.loader.project_state([t for t in old if t[1]]).apps

    # --- The database as the previous main left it ---------------------------------------
    Email = old_apps.get_model("home", "OutgoingEmail")
    Settings = old_apps.get_model("home", "OrganisationSettings")
    Site = old_apps.get_model("wagtailcore", "Site")
    OldGroup = old_apps.get_model("auth", "Group")
    Permission = old_apps.get_model("auth", "Permission")
    OldContentType = old_apps.get_model("contenttypes", "ContentType")

    Email.objects.create(
        key="thanks:one_off:donation:1",
        to="a@example.jp",
        subject="ありがとうございます",
        body="ご寄付に感謝します。",
        status="sent",
        attempts=1,
    )
    Email.objects.create(
        key="login_link:3:abc",
        to="b@example.jp",
        subject="ログイン",
        body="https://ouendan.example.jp/portal/login/Zx_9-k/",
        status="pending",
    )
    Email.objects.create(
        key="inkind:accepted:4", to="c@example.jp", subject="s", body="b", status="failed"
    )
    Settings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"name": "さくら野 子どもの未来応援団", "corporate_number": "1234567890123"},
    )
    email_type = OldContentType.objects.get(app_label="home", model="outgoingemail")
    settings_type = OldContentType.objects.get(app_label="home", model="organisationsettings")
    readers = OldGroup.objects.create(name="Outbox readers")
    readers.permissions.add(
        Permission.objects.get(content_type=email_type, codename="view_outgoingemail")
    )
    office = OldGroup.objects.create(name="Office")
    office.permissions.add(
        Permission.objects.get(content_type=settings_type, codename="change_organisationsettings")
    )

    # --- Forward to today's leaves --------------------------------------------------------
    migrate(current)

    emails = {m.key: m for m in OutgoingEmail.objects.all()}
    assert set(emails) == {"thanks:one_off:donation:1", "login_link:3:abc", "inkind:accepted:4"}
    thanks = emails["thanks:one_off:donation:1"]
    assert (thanks.to, thanks.subject, thanks.body, thanks.status, thanks.attempts) == (
        "a@example.jp",
        "ありがとうございます",
        "ご寄付に感謝します。",
        "sent",
        1,
    )
    assert thanks.category == OutgoingEmail.Category.MONEY  # home/0010 on the way
    login = emails["login_link:3:abc"]
    assert login.body == LINK_HIDDEN and "portal/login/Zx_9-k/" in login.secret_body
    assert emails["inkind:accepted:4"].status == "failed"

    organisation = OrganisationSettings.objects.get()
    assert (organisation.name, organisation.corporate_number) == (
        "さくら野 子どもの未来応援団",
        "1234567890123",
    )

    # The same content type rows, now core's: everything pointing at them followed.
    assert ContentType.objects.get_for_model(OutgoingEmail).pk == email_type.pk
    assert ContentType.objects.get_for_model(OrganisationSettings).pk == settings_type.pk
    assert not ContentType.objects.filter(
        app_label="home", model__in=["outgoingemail", "organisationsettings"]
    ).exists()

    def grants(name: str) -> set[str]:
        return {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }

    assert grants("Outbox readers") == {"core.view_outgoingemail"}
    assert grants("Office") == {"core.change_organisationsettings"}
    assert {"core.view_outgoingemail", "core.view_money_email"} <= grants("Finance")
    assert "core.view_money_email" not in grants("Member staff") | grants("Editors")

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.utils import translation
from pytest_django.plugin import blocking_manager_key
from wagtail.models import Site

from tests.database_snapshot import keep_migrated_copy, setup_from_snapshot
from tests.demo_database import DemoDatabase, uses_demo
from tests.object_store import moto_server, object_storage  # noqa: F401 (fixtures)

# Migrations: every session's test database starts from a copy of one migrated database, built
# once per set of migration files (tests/database_snapshot.py). --nomigrations is not safe here:
# data migrations create the staff groups and their permissions, the review workflow, the Wagtail
# home page and site, and tests rely on them.

# In CI every service must be there: a missing Redis fails the run instead of skipping tests.
REQUIRE_SERVICES = os.environ.get("OUENDAN_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_modify_db_settings,
):
    """pytest-django's database setup, starting from the migrated-database snapshot."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose

    def setup(*, keepdb):
        return setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )

    with django_db_blocker.unblock():
        db_cfg = setup_from_snapshot(setup, aliases)
        keep_migrated_copy()  # transactional tests put it back whole (SQLite)
    yield
    with django_db_blocker.unblock():
        _close_other_sessions()
        teardown_databases(db_cfg, verbosity=verbosity)  # drops the process's own copy


def _close_other_sessions() -> None:
    """On PostgreSQL, end the sessions a finished thread of a concurrency test left open on the
    test database (a thread's connection is closed only when it is garbage-collected), so the
    database can be dropped."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts and ends with an empty cache: no cached progress, pages or rate-limit
    counts leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language. A request to an English page leaves English
    active in the thread (LocaleMiddleware does not switch back), and the next test in the same
    process rendered its labels in English ("One-off gift" for 単発の寄付) whenever pytest-xdist
    happened to hand it to that process."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def campaign(home_page):
    """An active campaign with a ¥100,000 goal under a campaign index."""
    from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory

    index = CampaignIndexPageFactory(parent=home_page)
    return CampaignPageFactory(parent=index, goal_yen=100_000)


@pytest.fixture
def home_page(db):
    """The HomePage that the home app's data migration puts at the root of the default site."""
    return Site.objects.get(is_default_site=True).root_page.specific


# --- Test order, transactional tests -----------------------------------------------------------


def pytest_configure(config):
    config.pluginmanager.register(XdistGroups(), "ouendan-xdist-groups")


class XdistGroups:
    """With `--dist loadgroup` (./dev.sh test, CI) pytest-xdist hands out tests one by one to
    whichever process is free, except those of one group: mark as one group the demo tests (the
    shared demo site is built once per process), the live-server tests on the demo (built once
    per process, then copied) and the tests sharing a module- or class-scoped
    fixture (built once per process). Runs before xdist reads the marks."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config, items):
        # In the worker processes (where collection happens) xdist sets dist to "no" and keeps
        # the choice in option.loadgroup.
        if not getattr(config.option, "loadgroup", False):
            return
        for item in items:
            if uses_demo(item):
                item.add_marker(pytest.mark.xdist_group("demo"))
                continue
            if "live_demo" in item.fixturenames:  # one process builds it once (browser tests)
                item.add_marker(pytest.mark.xdist_group("live-demo"))
                continue
            scopes = {
                definition.scope
                for definitions in item._fixtureinfo.name2fixturedefs.values()
                for definition in definitions
            }
            if "module" in scopes:
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
            elif item.cls is not None and ("class" in scopes or hasattr(item.cls, "setUpClass")):
                item.add_marker(pytest.mark.xdist_group(item.nodeid.rsplit("::", 1)[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's own order (plain database tests, transactional ones, the rest):

    - the demo tests run next to each other, where the first of them stood, so the shared demo
      (tests/demo_database.py) is built once;
    - every transactional test restores the migrated database (serialized_rollback). Without it,
      its closing flush lets post_migrate recreate content types and permissions under new ids,
      and the next serialized_rollback test then fails to restore ("UNIQUE constraint failed:
      django_content_type").
    """
    demo = [item for item in items if uses_demo(item)]
    if demo:
        first = items.index(demo[0])
        rest = [item for item in items if not uses_demo(item)]
        items[:] = rest[:first] + demo + rest[first:]
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = {}
        if marker is not None:
            kwargs = dict(
                zip(("transaction", "reset_sequences", "databases"), marker.args, strict=False)
            )
            kwargs.update(marker.kwargs)
        elif {"transactional_db", "live_server"} & set(item.fixturenames):
            kwargs = {"transaction": True}
        if kwargs.get("transaction") and not kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(**{**kwargs, "serialized_rollback": True}), append=False
            )


def _flushes(item) -> bool:
    """A transactional test: it empties the database when it ends (pytest-django flushes)."""
    marker = item.get_closest_marker("django_db")
    transaction = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    return bool(transaction) or "transactional_db" in getattr(item, "fixturenames", ())


def _migrated_state_restore(config) -> None:
    """Put back the migrated database (groups, permissions, the Wagtail site and home page) that
    a transactional test's closing flush removed. pytest-django runs transactional tests last,
    but with one process per core (pytest-xdist, a file's tests together) a plain test can come
    after one on the same worker. Rows keep their ids, so a later serialized_rollback restore
    only rewrites them."""
    with config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


# --- Media folders ------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def session_media_folder():
    """This test process's own folders (site/settings/test.py: in the system's temp folder,
    named after the process id), emptied before the session and removed after it, so runs never
    share or leave files. The shared demo site's images live here; other tests get their own
    folders (media_folders below)."""
    root = Path(settings.MEDIA_ROOT)
    assert root.parent.name == f"ouendan-test-{os.getpid()}", root  # never anything else
    shutil.rmtree(root.parent, ignore_errors=True)
    yield root
    shutil.rmtree(root.parent, ignore_errors=True)


@pytest.fixture(autouse=True)
def media_folders(request, session_media_folder):
    """Every test writes uploads, renditions, receipts and import files into folders of its own,
    removed after it, so no test sees another's files. Storage follows the settings as they
    change (Django's default storage, ouendan.core.storage.PrivateStorage) and the media route
    reads MEDIA_ROOT per request. Tests on the shared demo site keep the session folders, where
    the demo's images were saved when it was built."""
    if uses_demo(request.node):
        yield
        return
    folder = session_media_folder.parent / f"test-{request.node.nodeid.__hash__() & 0xFFFFFFFF:08x}"
    with override_settings(MEDIA_ROOT=folder / "media", PRIVATE_MEDIA_ROOT=folder / "private"):
        yield
    shutil.rmtree(folder, ignore_errors=True)


# --- The demo site, built once per session ------------------------------------------------------

_demo: list[DemoDatabase] = []  # the session's DemoDatabase, for the hooks below


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker):
    demo = DemoDatabase(django_db_blocker)
    _demo.append(demo)
    demo.open()  # session fixtures are set up before the test's own transaction
    yield demo
    demo.close()
    _demo.remove(demo)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # A demo test after the block was closed (a run in another order): open it again before the
    # test's fixtures start its transaction.
    if _demo and uses_demo(item):
        _demo[0].open()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    # The test's own transaction is rolled back by now; end the demo block before any other test.
    if _demo and (nextitem is None or not uses_demo(nextitem)):
        _demo[0].close()
    # (Not after the last test: its teardown has already removed the test database.)
    if _flushes(item) and nextitem is not None and not _flushes(nextitem):
        _migrated_state_restore(item.config)
    return result


@pytest.fixture
def demo_site(_demo_database, db):
    """The demo site (`manage.py demo`), shared by the session's demo tests: see
    tests/demo_database.py. Everything a test changes is rolled back after it."""
    if not _demo_database.is_open:
        raise RuntimeError("demo_site in a transactional test: build the demo in the test")
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def demo_output(demo_site, _demo_database) -> str:
    """What `manage.py demo` printed when it built the shared demo site."""
    return _demo_database.output


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if REQUIRE_SERVICES:
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL

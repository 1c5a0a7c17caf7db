"""The README's "Staff permissions" matrix is the contract: every admin URL, walked as each staff
group, a superuser and an anonymous visitor, gives the outcome the matrix states.

Every URL under /admin/ (Wagtail's own, viewsets, snippets and the project's hooks) is taken from
the URL resolver, its arguments filled from real objects, and fetched with GET (POST-only views
with an empty POST). Outcomes: `yes` (allowed), `no` (403, Wagtail's permission-denied redirect
to the dashboard with its message, or a 404 where Wagtail hides an object), `login` (sent to the
login page). A new admin URL that no matrix row names, or a row that names no URL, fails; so
does a 404 for the superuser (the walk filled the URL wrongly) outside UNFILLABLE.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from members.groups import COORDINATORS, EDITORS, FINANCE, MEMBER_STAFF
from tests.admin_walk import admin_urls, world_build

README = Path(__file__).resolve().parent.parent / "README.md"
ROLES = [EDITORS, MEMBER_STAFF, FINANCE, COORDINATORS, "superuser", "anonymous"]
# --- The matrix, read from the README ------------------------------------------------------------


def matrix_rows() -> list[dict]:
    """The table under "## Staff permissions": area, URL names (globs), then one cell per role."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Staff permissions", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 + len(ROLES) or cells[0] in ("screen / area", "---"):
            continue
        names = re.findall(r"`([^`]+)`", cells[1])
        outcomes = dict(zip(ROLES, [cell.split()[0] for cell in cells[2:]], strict=True))
        rows.append({"area": cells[0], "names": names, **outcomes})
    return rows


def _matches(name: str, pattern: str) -> bool:
    # Only "*" is a wildcard ("[funding]" is a variant's literal name, not a character class).
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), name) is not None


def row_for(name: str, rows: list[dict]) -> dict | None:
    """The first row naming the URL: specific rows (a delete screen) come before general ones."""
    return next((row for row in rows if any(_matches(name, p) for p in row["names"])), None)


# --- Outcomes ------------------------------------------------------------------------------------


DENIED = "Sorry, you do not have permission to access this area."  # Wagtail's own message


def _denied_messages() -> set[str]:
    denied = set()
    for language in ["en", "ja"]:
        with translation.override(language):
            denied.add(translation.gettext(DENIED))
    return denied


def outcome(response) -> str:
    status, location = response.status_code, response.get("Location", "")
    if status == 302 and location.startswith(reverse("wagtailadmin_login")):
        return "login"
    if status in (403, 404):  # 404: Wagtail hides what a user may not see (checked below)
        return "no"
    if status == 302 and location == reverse("wagtailadmin_home"):
        # Only the messages this request added (earlier ones may still wait in the cookie).
        queued = getattr(response.wsgi_request._messages, "_queued_messages", [])
        if {str(message).strip() for message in queued} & _denied_messages():
            return "no"
    if status < 400:
        return "yes"
    return f"error {status}"


# Routes that point at nothing this project has: no translatable snippet, no form page type,
# no dynamic image serve view, no redirects file uploaded in the same session. The matrix says
# `n/a` for the superuser there; anywhere else a 404 for the superuser means the walk filled a
# URL wrongly.
UNFILLABLE = {
    "wagtailredirects:process_import",
    "wagtailsettings:preview_on_edit",  # shows only what the settings form posted before
    "simple_translation:submit_snippet_translation",
    "wagtailforms:list_submissions",
    "wagtailforms:list_submissions_results",
    "wagtailforms:delete_submissions",
    "wagtailimages:url_generator",
    "wagtailimages:url_generator_output",
}


def walk(client, urls) -> list[tuple[str, str, object]]:
    """GET every URL; POST-only views (405) get an empty POST afterwards, deleting ones last,
    so that no POST changes what a later GET sees. Logging out comes at the very end."""
    results, post_only = [], []
    for name, url in urls:
        if name == "wagtailadmin_logout":  # even a GET ends the session
            post_only.append((name, url))
            continue
        response = client.get(url)
        client.cookies.pop("messages", None)
        if response.status_code == 405:
            post_only.append((name, url))
        else:
            results.append((name, url, response))
    post_only.sort(key=lambda item: ("logout" in item[0], "delete" in item[0]))
    for name, url in post_only:
        response = client.post(url, {})
        client.cookies.pop("messages", None)
        results.append((name, url, response))
    return results


def login_as(client, role: str, world):
    if role == "anonymous":
        return
    User = get_user_model()
    if role == "superuser":
        user = User.objects.create_superuser(f"walk-{role}", password="pw")
    else:
        user = User.objects.create_user(f"walk-{role}".replace(" ", "-"), password="pw")
        user.groups.add(Group.objects.get(name=role))
    if role == COORDINATORS:
        # Coordinates the place of the walk's shift, series, sign-up and hours entry.
        world["objects"]["shift"].place.coordinators.add(user)
    client.force_login(user)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for all the module's walks (each role's test used to build its own), in a
    transaction rolled back after the last; each test runs in a savepoint inside it, so what a
    walk's POSTs change is undone before the next role. Its files live in a folder of the
    module's (the per-test media folders of tests/conftest.py are removed after each test)."""
    from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory

    folder = tmp_path_factory.mktemp("matrix-media")
    media = {"MEDIA_ROOT": folder / "media", "PRIVATE_MEDIA_ROOT": folder / "private"}
    with django_db_blocker.unblock(), override_settings(**media), transaction.atomic():
        # As the campaign and home_page fixtures of tests/conftest.py make them.
        home_page = Site.objects.get(is_default_site=True).root_page.specific
        index = CampaignIndexPageFactory(parent=home_page)
        campaign = CampaignPageFactory(parent=index, goal_yen=100_000)
        yield world_build(campaign=campaign, home_page=home_page), media
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db):
    world, media = _module_world
    with override_settings(**media):  # the world's files, over this test's own folders
        yield world


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_matches_the_readme_matrix(client, world, role):
    rows = matrix_rows()
    client.raise_request_exception = False  # a crash is an outcome ("error 500"), not a stop
    login_as(client, role, world)
    mismatches = []
    for name, url, response in walk(client, admin_urls(world)):
        row = row_for(name, rows)
        got = outcome(response)
        unfillable = name.split("[")[0] in UNFILLABLE
        if role == "superuser" and response.status_code == 404 and not unfillable:
            mismatches.append(f"{name} {url}: 404 for the superuser, the walk filled it wrongly")
        if row is None:
            mismatches.append(f"{name} {url}: no row in the README's matrix")
        elif got != row[role] and row[role] != "n/a":
            mismatches.append(f"{name} {url}: matrix says {row[role]}, got {got}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.django_db
def test_every_matrix_row_names_a_real_admin_url(world):
    rows = matrix_rows()
    assert len(rows) > 40  # the table was found and read
    names = [name for name, _url in admin_urls(world)]
    for row in rows:
        for pattern in row["names"]:
            assert any(_matches(name, pattern) for name in names), f"{row['area']}: {pattern}"
        assert {row[role] for role in ROLES} <= {"yes", "no", "login", "n/a"}, row

"""The admin's idle timeout, SVG uploads refused, and safe headers on media Django serves."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.images.models import Image

from members.groups import EDITORS

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def staff(client, group=EDITORS):
    user = get_user_model().objects.create_user(f"u-{group}".replace(" ", "-"), password="pw")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


# --- Idle timeout ------------------------------------------------------------------------------


def at(moment):
    return mock.patch("ouendan.middleware.timezone.now", return_value=moment)


@pytest.mark.django_db
@override_settings(ADMIN_IDLE_TIMEOUT_MINUTES=60)
def test_staff_are_logged_out_of_the_admin_after_the_idle_timeout(client):
    staff(client)
    start = timezone.now()
    with at(start):
        assert client.get("/admin/").status_code == 200
    with at(start + datetime.timedelta(minutes=59)):  # active: the clock restarts
        assert client.get("/admin/").status_code == 200
    with at(start + datetime.timedelta(minutes=59 + 59)):
        assert client.get("/admin/").status_code == 200
    with at(start + datetime.timedelta(minutes=59 + 59 + 61)):
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"])
    shown = [str(message) for message in get_messages(login_page.wsgi_request)]
    assert any("60" in message for message in shown), shown  # "…after 60 minutes without…"


@pytest.mark.django_db
@override_settings(ADMIN_IDLE_TIMEOUT_MINUTES=60)
def test_public_pages_do_not_count_and_supporters_are_never_timed_out(client, home_page):
    from members.models import Supporter

    supporter = Supporter.objects.create(family_name="山田", email="y@example.jp")
    from members.views import SESSION_SUPPORTER

    session = client.session
    session[SESSION_SUPPORTER] = supporter.pk  # a portal login is not an admin login
    session.save()
    start = timezone.now()
    with at(start):
        client.get("/")
    with at(start + datetime.timedelta(days=3)):
        client.get("/")
        assert client.get("/admin/").status_code == 302  # anonymous: login, as always
    assert client.session[SESSION_SUPPORTER] == supporter.pk


@pytest.mark.django_db
@override_settings(ADMIN_IDLE_TIMEOUT_MINUTES=0)
def test_a_zero_timeout_turns_it_off(client):
    staff(client)
    start = timezone.now()
    with at(start):
        client.get("/admin/")
    with at(start + datetime.timedelta(days=10)):
        assert client.get("/admin/").status_code == 200


# --- SVG uploads -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["logo.svg", "logo.png"])
def test_an_editor_cannot_upload_an_svg_image(client, name):
    staff(client)
    upload = SimpleUploadedFile(name, SVG, content_type="image/svg+xml")
    response = client.post(reverse("wagtailimages:add"), {"title": "ロゴ", "file": upload})
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["file"]
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_an_editor_cannot_upload_an_svg_image_in_the_multiple_uploader(client):
    staff(client)
    upload = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    response = client.post(reverse("wagtailimages:add_multiple"), {"files[]": upload})
    assert response.json()["success"] is False
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_an_editor_cannot_upload_an_svg_document(client):
    staff(client)
    upload = SimpleUploadedFile("chart.svg", SVG, content_type="image/svg+xml")
    response = client.post(reverse("wagtaildocs:add"), {"title": "図", "file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Document.objects.exists()


# --- Media served by Django --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "attachment"),
    [
        ("h5/a.svg", SVG, True),
        ("h5/a.html", b"<script>1</script>", True),
        ("h5/a.png", b"x", False),
    ],
)
def test_media_is_served_sandboxed_and_unsniffed(client, name, content, attachment):
    path = default_storage.save(name, ContentFile(content))
    try:
        response = client.get(f"/media/{path}")
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert (response.get("Content-Disposition") == "attachment") is attachment
    finally:
        default_storage.delete(path)

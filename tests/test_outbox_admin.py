import pytest
from django.contrib.auth.models import Permission

from home.models import OutgoingEmail
from tests.members_factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def message():
    return OutgoingEmail.objects.create(
        key="confirm-signup:1",
        to="hana@example.jp",
        subject="メールアドレスの確認",
        body="リンクを開いてください",
        supporter=SupporterFactory(),
    )


def staff_user(django_user_model, *codenames):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=False)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(codename__in=codenames),
    )
    return user


def test_staff_with_view_permission_can_list_search_and_inspect(client, django_user_model, message):
    client.force_login(staff_user(django_user_model, "view_outgoingemail"))

    listing = client.get("/admin/outgoing_emails/", {"q": "hana"})
    assert listing.status_code == 200
    assert "メールアドレスの確認" in listing.content.decode()
    inspect = client.get(f"/admin/outgoing_emails/inspect/{message.pk}/")
    assert "リンクを開いてください" in inspect.content.decode()


def test_nobody_can_write_to_the_outbox_through_the_admin(client, admin_user, message):
    client.force_login(admin_user)
    assert client.get("/admin/outgoing_emails/new/").status_code in (302, 403)
    assert client.get(f"/admin/outgoing_emails/edit/{message.pk}/").status_code in (302, 403)
    assert client.post(f"/admin/outgoing_emails/delete/{message.pk}/").status_code in (302, 403)
    assert OutgoingEmail.objects.filter(pk=message.pk).exists()


def test_staff_without_permission_cannot_see_it(client, django_user_model, message):
    client.force_login(staff_user(django_user_model))
    assert client.get("/admin/outgoing_emails/").status_code in (302, 403)

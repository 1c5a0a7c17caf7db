import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from ouendan.core.mail import LINK_HIDDEN
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory

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


# --- Money mail is Finance's; single-use links are never shown ---------------------------------


def group_user(django_user_model, group: str):
    user = django_user_model.objects.create_user(f"user-{group}", password="pw")
    user.groups.add(Group.objects.get(name=group))
    return user


def refused(response) -> bool:
    """Refused as a logged-in user (403, or Wagtail's redirect to the dashboard with its
    permission message), not sent to the login page."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


@pytest.fixture
def money_message():
    return OutgoingEmail.objects.create(
        key="thanks:one_off:donation:7",
        to="taro@example.jp",
        subject="ご寄付ありがとうございました",
        body="3,000円のご寄付",
        category=OutgoingEmail.Category.MONEY,
    )


@pytest.fixture
def link_message():
    return OutgoingEmail.objects.create(
        key="login_link:1:abc",
        to="hana@example.jp",
        subject="ログイン用リンク",
        body=f"こちらから: {LINK_HIDDEN}",
        secret_body="こちらから: https://example.jp/portal/login/LIVE-TOKEN/",
    )


def message_urls(message) -> list[str]:
    return [
        reverse("outgoing_emails:inspect", args=[message.pk]),
        reverse("outgoing_emails:history", args=[message.pk]),
        reverse("outgoing_emails:usage", args=[message.pk]),
        reverse("outgoing_emails:resend", args=[message.pk]),
    ]


def test_member_staff_see_general_mail_but_no_money_mail(
    client, django_user_model, message, money_message
):
    client.force_login(group_user(django_user_model, MEMBER_STAFF))

    listing = client.get("/admin/outgoing_emails/").content.decode()
    assert "メールアドレスの確認" in listing
    assert "ご寄付ありがとうございました" not in listing
    search = client.get("/admin/outgoing_emails/", {"q": "taro"}).content.decode()
    assert "ご寄付ありがとうございました" not in search
    for url in message_urls(money_message):
        response = client.get(url)
        assert refused(response), url
        assert "3,000円" not in response.content.decode()
    assert refused(client.post(reverse("outgoing_emails:resend", args=[money_message.pk])))
    general = client.get(reverse("outgoing_emails:inspect", args=[message.pk]))
    assert general.status_code == 200


def test_finance_reads_money_mail(client, django_user_model, message, money_message):
    client.force_login(group_user(django_user_model, FINANCE))

    listing = client.get("/admin/outgoing_emails/").content.decode()
    assert "ご寄付ありがとうございました" in listing and "メールアドレスの確認" in listing
    inspect = client.get(reverse("outgoing_emails:inspect", args=[money_message.pk]))
    assert inspect.status_code == 200 and "3,000円" in inspect.content.decode()


def test_only_finance_has_the_money_mail_permission(db):
    holders = set(
        Group.objects.filter(
            permissions__codename="view_money_email", permissions__content_type__app_label="core"
        ).values_list("name", flat=True)
    )
    assert holders == {FINANCE}


def test_editors_have_no_outbox(client, django_user_model, message):
    client.force_login(group_user(django_user_model, EDITORS))
    assert refused(client.get("/admin/outgoing_emails/"))
    assert refused(client.get(reverse("outgoing_emails:inspect", args=[message.pk])))


def test_not_logged_in_goes_to_the_login_page(client, money_message):
    response = client.get(reverse("outgoing_emails:inspect", args=[money_message.pk]))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_a_single_use_link_is_never_shown_to_staff(client, admin_user, link_message):
    client.force_login(admin_user)
    for url in ["/admin/outgoing_emails/", *message_urls(link_message)[:1]]:
        page = client.get(url, {"q": "hana"} if url.endswith("emails/") else None)
        assert page.status_code == 200
        assert "LIVE-TOKEN" not in page.content.decode()
    assert LINK_HIDDEN in client.get(message_urls(link_message)[0]).content.decode()


# --- "Being sent (unconfirmed)" and "Send again" -----------------------------------------------


def test_a_mail_left_being_sent_is_shown_and_can_be_sent_again_after_confirming(
    client, django_user_model, message, django_capture_on_commit_callbacks
):
    OutgoingEmail.objects.filter(pk=message.pk).update(
        status=OutgoingEmail.Status.SENDING, attempts=1
    )
    client.force_login(group_user(django_user_model, MEMBER_STAFF))

    listing = client.get("/admin/outgoing_emails/", {"status": "sending"}).content.decode()
    assert "Being sent (unconfirmed)" in listing or "送信中（未確認）" in listing
    resend_url = reverse("outgoing_emails:resend", args=[message.pk])
    inspect = client.get(reverse("outgoing_emails:inspect", args=[message.pk]))
    assert resend_url in inspect.content.decode()

    confirm = client.get(resend_url)  # a confirmation page; GET changes nothing
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENDING and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["hana@example.jp"]]


def test_a_sent_mail_offers_no_send_again(client, admin_user, message):
    OutgoingEmail.objects.filter(pk=message.pk).update(status=OutgoingEmail.Status.SENT)
    client.force_login(admin_user)
    resend_url = reverse("outgoing_emails:resend", args=[message.pk])
    assert (
        resend_url
        not in client.get(f"/admin/outgoing_emails/inspect/{message.pk}/").content.decode()
    )
    client.post(resend_url)
    assert mail.outbox == []


def test_the_supporter_timeline_hides_money_mail_from_member_staff(
    client, django_user_model, money_message, message
):
    OutgoingEmail.objects.filter(pk__in=[money_message.pk, message.pk]).update(
        supporter=message.supporter
    )
    url = reverse("supporter:inspect", args=[message.supporter.pk])

    client.force_login(group_user(django_user_model, MEMBER_STAFF))
    page = client.get(url).content.decode()
    assert "メールアドレスの確認" in page and "ご寄付ありがとうございました" not in page

    client.force_login(group_user(django_user_model, FINANCE))
    assert "ご寄付ありがとうございました" in client.get(url).content.decode()


def test_anonymising_a_supporter_empties_the_secret_body_too(link_message):
    from members.privacy import supporter_anonymise

    supporter = SupporterFactory()
    OutgoingEmail.objects.filter(pk=link_message.pk).update(supporter=supporter)
    supporter_anonymise(supporter=supporter, reviewed_by=None)
    link_message.refresh_from_db()
    assert (link_message.to, link_message.body, link_message.secret_body) == ("", "", "")

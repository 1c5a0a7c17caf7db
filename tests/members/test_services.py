import datetime

import pytest
from django.core import mail
from django.utils import timezone

from members.models import (
    AccessToken,
    ConsentRecord,
    DeletionRequest,
    Membership,
    MembershipPlan,
    Supporter,
)
from members.services import (
    access_token_issue,
    access_token_redeem,
    consent_record,
    consents_current,
    membership_lapse_overdue,
    membership_record_payment,
    membership_start,
    supporter_confirm,
    supporter_find_duplicate,
    supporter_register,
    supporter_send_login_link,
)
from ouendan.core.models import OutgoingEmail
from tests.members.factories import MembershipPlanFactory, SupporterFactory

CONFIRM_URL = "https://example.jp/join/confirm/{token}/"
LOGIN_URL = "https://example.jp/portal/login/{token}/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def send_mail_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    """Mail is queued on commit; run those callbacks as each service call returns."""
    import members.services as services

    def committing(function):
        def wrapper(**kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return function(**kwargs)

        return wrapper

    for name in ("supporter_register", "supporter_send_login_link"):
        monkeypatch.setitem(globals(), name, committing(getattr(services, name)))


def new_person(email="hana@example.jp") -> Supporter:
    return Supporter(
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        email=email,
    )


def register(supporter, **consents):
    return supporter_register(
        supporter=supporter,
        consents=consents,
        policy_version="2026-04",
        confirm_url=CONFIRM_URL,
        login_url=LOGIN_URL,
    )


def link_in(message) -> str:
    return next(line for line in message.body.splitlines() if line.startswith("https://"))


def test_register_creates_a_pending_supporter_with_consents_and_a_confirmation_mail():
    result = register(new_person(), newsletter=True, supporters_wall=False)

    supporter = result.supporter
    assert result.created and supporter.status == Supporter.Status.PENDING
    assert supporter.source == Supporter.Source.WEB
    current = consents_current(supporter=supporter)
    assert (
        current["privacy_policy"].granted and current["privacy_policy"].policy_version == "2026-04"
    )
    assert current["newsletter"].granted is True
    assert current["supporters_wall"].granted is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hana@example.jp"]
    assert link_in(mail.outbox[0]).startswith("https://example.jp/join/confirm/")


def test_confirmation_link_activates_once():
    register(new_person())
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]

    supporter = supporter_confirm(secret=token)

    assert supporter.status == Supporter.Status.ACTIVE and supporter.confirmed_at
    assert supporter_confirm(secret=token) is None  # single use


def test_confirmation_link_expires_after_48_hours():
    register(new_person())
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    link = AccessToken.objects.get()
    assert link.expires_at - link.created_at == datetime.timedelta(hours=48)
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert supporter_confirm(secret=token) is None
    assert Supporter.objects.get().status == Supporter.Status.PENDING


def test_only_a_hash_of_the_link_is_stored():
    register(new_person())
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert not AccessToken.objects.filter(token_hash=token).exists()
    assert AccessToken.objects.filter(token_hash=AccessToken.hash(token)).exists()


def test_registering_a_known_email_sends_a_login_link_instead_of_a_second_account():
    existing = SupporterFactory(email="hana@example.jp")

    result = register(new_person(email="hana@example.jp"))

    assert not result.created and result.supporter == existing
    assert Supporter.objects.count() == 1
    assert OutgoingEmail.objects.get().key.startswith(f"already_registered:{existing.pk}:")
    assert link_in(mail.outbox[0]).startswith("https://example.jp/portal/login/")


def test_duplicates_by_email_case_insensitively_or_kana_and_phone():
    person = SupporterFactory(
        email="Hana@Example.jp",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        phone="090-1111-2222",
    )
    company = SupporterFactory(
        kind=Supporter.Kind.ORGANISATION,
        email="",
        organisation_name_kana="サクラノショクヒン",
        phone="048-123-4567",
    )
    assert supporter_find_duplicate(email="hana@example.jp") == person
    assert supporter_find_duplicate(kana="ヤマダ\u3000ハナコ", phone="090-1111-2222") == person
    assert supporter_find_duplicate(kana="サクラノショクヒン", phone="048-123-4567") == company
    assert supporter_find_duplicate(kana="ヤマダ\u3000ハナコ", phone="090-9999-9999") is None
    assert supporter_find_duplicate(email="hana@example.jp", exclude_pk=person.pk) is None


def test_the_email_look_up_can_use_the_partial_unique_email_index():
    """The unique index on lower(email) covers non-empty addresses only: a query that does not
    say so cannot use it, and every webhook's donor look-up then scans the whole table."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    SupporterFactory(email="hana@example.jp")
    with CaptureQueriesContext(connection) as captured:
        supporter_find_duplicate(email="hana@example.jp")
    (query,) = (q["sql"] for q in captured.captured_queries if "members_supporter" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is scanned anyway
            cursor.execute(f"EXPLAIN {query}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query}")
        plan = " ".join(str(column) for row in cursor.fetchall() for column in row)
    assert "supporter_unique_email_ci" in plan


def test_the_database_refuses_two_supporters_with_the_same_email_in_any_case():
    from django.db import IntegrityError

    SupporterFactory(email="a@example.jp")
    with pytest.raises(IntegrityError):
        SupporterFactory(email="A@EXAMPLE.JP")


def test_supporters_without_email_are_allowed_side_by_side():
    SupporterFactory(email="")
    SupporterFactory(email="")
    assert Supporter.objects.filter(email="").count() == 2


def test_login_links_are_single_use_and_short_lived():
    supporter = SupporterFactory()
    secret = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.LOGIN)
    link = AccessToken.objects.get()
    assert link.expires_at - link.created_at == datetime.timedelta(minutes=30)
    # A login link cannot confirm a sign-up, and vice versa.
    assert access_token_redeem(secret=secret, purpose=AccessToken.Purpose.CONFIRM_SIGNUP) is None
    assert access_token_redeem(secret=secret, purpose=AccessToken.Purpose.LOGIN) == supporter
    assert access_token_redeem(secret=secret, purpose=AccessToken.Purpose.LOGIN) is None


def test_login_link_is_only_sent_to_known_active_supporters():
    SupporterFactory(email="known@example.jp")
    SupporterFactory(email="gone@example.jp", status=Supporter.Status.ANONYMISED)
    assert supporter_send_login_link(email="known@example.jp", login_url=LOGIN_URL)
    assert not supporter_send_login_link(email="stranger@example.jp", login_url=LOGIN_URL)
    assert not supporter_send_login_link(email="gone@example.jp", login_url=LOGIN_URL)
    assert len(mail.outbox) == 1


def test_no_login_link_or_token_while_a_deletion_request_waits_whatever_the_status():
    asking = SupporterFactory(email="asking@example.jp")  # status left ACTIVE by hand
    DeletionRequest.objects.create(supporter=asking)
    assert not supporter_send_login_link(email="asking@example.jp", login_url=LOGIN_URL)
    assert not AccessToken.objects.filter(supporter=asking).exists()
    assert not OutgoingEmail.objects.filter(supporter=asking).exists()


def test_consent_history_is_kept_and_unchanged_consents_are_not_repeated():
    supporter = SupporterFactory()
    kind, source = ConsentRecord.Kind.NEWSLETTER, ConsentRecord.Source.PORTAL
    assert consent_record(supporter=supporter, kind=kind, granted=True, source=source)
    assert consent_record(supporter=supporter, kind=kind, granted=True, source=source) is None
    assert consent_record(supporter=supporter, kind=kind, granted=False, source=source)

    history = list(supporter.consents.filter(kind=kind).order_by("recorded_at", "pk"))
    assert [record.granted for record in history] == [True, False]
    assert consents_current(supporter=supporter)[kind].granted is False


def test_free_plans_start_at_once_and_paid_plans_wait_for_payment():
    supporter = SupporterFactory()
    free = MembershipPlanFactory(period=MembershipPlan.Period.NONE, amount_yen=0)
    corporate = MembershipPlanFactory(amount_yen=10_000, per_unit=True)

    assert membership_start(supporter=supporter, plan=free).status == Membership.Status.ACTIVE
    membership = membership_start(supporter=supporter, plan=corporate, units=3)
    assert membership.status == Membership.Status.PENDING
    assert membership.amount_yen == 30_000 and isinstance(membership.amount_yen, int)


def test_payment_activates_and_renewals_run_on_from_the_paid_period():
    membership = membership_start(supporter=SupporterFactory(), plan=MembershipPlanFactory())
    first = timezone.make_aware(datetime.datetime(2026, 4, 1, 10))

    membership = membership_record_payment(membership=membership, paid_at=first)
    assert membership.status == Membership.Status.ACTIVE
    assert (membership.started_on, membership.renews_on) == (
        datetime.date(2026, 4, 1),
        datetime.date(2027, 4, 1),
    )
    # Paying a month early extends from the renewal date: no days lost.
    early = timezone.make_aware(datetime.datetime(2027, 3, 1, 10))
    membership = membership_record_payment(membership=membership, paid_at=early)
    assert membership.renews_on == datetime.date(2028, 4, 1)
    assert membership.started_on == datetime.date(2026, 4, 1)


def test_monthly_plans_renew_monthly_even_at_month_end():
    plan = MembershipPlanFactory(period=MembershipPlan.Period.MONTH, amount_yen=1000)
    membership = membership_start(supporter=SupporterFactory(), plan=plan)
    paid = timezone.make_aware(datetime.datetime(2026, 1, 31, 12))
    assert membership_record_payment(membership=membership, paid_at=paid).renews_on == (
        datetime.date(2026, 2, 28)
    )


def test_overdue_memberships_lapse():
    membership = membership_start(supporter=SupporterFactory(), plan=MembershipPlanFactory())
    membership_record_payment(
        membership=membership, paid_at=timezone.make_aware(datetime.datetime(2025, 1, 10))
    )
    assert membership_lapse_overdue(today=datetime.date(2026, 1, 10)) == 0
    assert membership_lapse_overdue(today=datetime.date(2026, 1, 11)) == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED

"""donations.0018_membership_fees_into_ledger: fees recorded only on a membership (its last
payment date) get one ledger row each; fees already in the ledger, free and unpaid memberships
get none; running it again adds nothing; reversing deletes exactly the rows it made.

The test database itself goes back to the migration before (undoing it and the migrations that
depend on it), then this migration alone runs forward and back, and everything is migrated again;
in a transactional test whose rows are flushed afterwards.
"""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = ("donations", "0017_programme_finance_group")
MIGRATION = ("donations", "0018_membership_fees_into_ledger")


def _fill(apps) -> dict:
    """Old state: two paid memberships without ledger rows, one whose fee is in the ledger, a
    free one, an unpaid one, and a one-off gift."""
    import datetime

    Supporter = apps.get_model("members", "Supporter")
    MembershipPlan = apps.get_model("members", "MembershipPlan")
    Membership = apps.get_model("members", "Membership")
    Donation = apps.get_model("donations", "Donation")
    jst = datetime.timezone(datetime.timedelta(hours=9))
    yearly = MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)
    company = MembershipPlan.objects.create(
        name="法人会員", period="year", amount_yen=10000, per_unit=True
    )
    free = MembershipPlan.objects.create(name="無料サポーター", period="none", amount_yen=0)

    def member(n, plan, amount, paid=None, status="active"):
        supporter = Supporter.objects.create(family_name=f"会員{n}", email=f"m{n}@example.jp")
        return Membership.objects.create(
            supporter=supporter,
            plan=plan,
            amount_yen=amount,
            status=status,
            last_paid_at=paid,
        )

    paid_a = datetime.datetime(2026, 4, 10, 10, 0, tzinfo=jst)
    paid_b = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=jst)
    a = member(1, yearly, 3000, paid_a)
    b = member(2, company, 20000, paid_b, status="lapsed")
    in_ledger = member(3, yearly, 3000, paid_a)
    Donation.objects.create(
        supporter_id=in_ledger.supporter_id,
        membership=in_ledger,
        kind="membership",
        method="card",
        amount_yen=3000,
        paid_at=paid_a,
        stripe_checkout_session_id="cs_fee",
    )
    member(4, free, 0, paid_a)
    member(5, yearly, 3000, None, status="pending")
    Donation.objects.create(
        supporter_id=a.supporter_id, kind="one_off", method="cash", amount_yen=5000, paid_at=paid_b
    )
    return {"a": a.pk, "b": b.pk, "in_ledger": in_ledger.pk}


def _ledger(apps) -> list:
    Donation = apps.get_model("donations", "Donation")
    return [
        [
            d.kind,
            d.membership_id,
            d.supporter_id,
            d.amount_yen,
            d.paid_at.isoformat(),
            d.method,
            d.effects_done_at is not None,
            d.campaign_id,
            d.programme_id,
        ]
        for d in Donation.objects.order_by("pk")
    ]


def test_fees_recorded_only_on_memberships_are_recovered_into_the_ledger():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    def migrate(targets, *, alone=False):
        # A fresh executor each time: its loader reads what is applied now.
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(targets)
        if alone:
            assert [(m.app_label, m.name) for m, _backwards in plan] == [MIGRATION], plan
        return executor.migrate(targets, plan=plan).apps

    try:
        # Back to the migration before: this one and every migration that depends on it are
        # unapplied (the schema then is the one the migration ran on).
        apps = migrate([BEFORE])
        ids = _fill(apps)
        before = _ledger(apps)

        # Forward by this migration alone, and back by it alone: its own effect, nothing of the
        # later migrations (going through all of them both ways doubled the test's time).
        apps = migrate([MIGRATION], alone=True)
        after = _ledger(apps)
        # Running the recovery again (e.g. on a database restored half-way) adds nothing.
        module = importlib.import_module("donations.migrations.0018_membership_fees_into_ledger")
        module.recover(apps, None)
        again = _ledger(apps)

        apps = migrate([BEFORE], alone=True)
        reversed_ = _ledger(apps)
    finally:
        migrate(leaves)  # the test database as every other test expects it

    assert len(before) == 2  # the Stripe fee and the one-off gift
    assert after[:2] == before
    recovered = after[2:]
    # One row per paid membership missing from the ledger, at its fee and last payment date,
    # with its side effects marked done (no thank-you for an old fee), no campaign or programme.
    assert [(row[0], row[1], row[3], row[4], row[6], row[7], row[8]) for row in recovered] == [
        ("membership", ids["a"], 3000, "2026-04-10T01:00:00+00:00", True, None, None),
        ("membership", ids["b"], 20000, "2026-06-01T01:00:00+00:00", True, None, None),
    ]
    assert again == after
    assert reversed_ == before

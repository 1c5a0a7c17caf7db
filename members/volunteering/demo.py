"""Demo volunteering: roles, trainings, a weekly series per place with a season of shifts
(two months back, two months ahead), sign-ups, attendance and hours. Fast (bulk inserts) and
safe to run again (nothing is added twice)."""

import datetime
import itertools

from django.db import transaction
from django.utils import timezone

from members.models import Area, Supporter
from members.places.models import Place

from .models import (
    EmployerLink,
    HoursEntry,
    Role,
    Shift,
    ShiftSeries,
    Signup,
    Training,
    VolunteerTraining,
)
from .recurrence import shift_series_generate

ROLES = ["調理", "学習支援", "見守り", "送迎", "仕分け"]
TRAININGS = [("食品衛生", 24), ("子ども支援研修", 36)]
SEASON_DAYS = 60
RULES = ["FREQ=WEEKLY;BYDAY=SA", "FREQ=MONTHLY;BYDAY=2SA,4SA", "FREQ=WEEKLY;BYDAY=WE"]
TIMES = [(datetime.time(10), datetime.time(13)), (datetime.time(16), datetime.time(19))]


def demo_stand_in_places() -> list[Place]:
    """Only when no place exists yet (the places demo adds the real 29): three stand-in places,
    slugs starting "volunteering-demo-", so they are easy to find and drop."""
    districts = list(Area.objects.filter(kind=Area.Kind.SCHOOL_DISTRICT)[:3])
    places = []
    for index, district in enumerate(districts):
        place, _created = Place.objects.get_or_create(
            slug=f"volunteering-demo-{index + 1}",
            defaults={
                "name": f"{district.name} こどもひろば（仮）",
                "kind": Place.Kind.KODOMO_SHOKUDO,
                "district": district,
                "is_regular": True,
            },
        )
        places.append(place)
    return places


def volunteering_demo_build() -> None:
    today = timezone.localdate()
    roles = [
        Role.objects.get_or_create(name=n, defaults={"sort_order": i})[0]
        for i, n in enumerate(ROLES)
    ]
    trainings = [
        Training.objects.get_or_create(name=name, defaults={"validity_months": months})[0]
        for name, months in TRAININGS
    ]
    places = list(Place.objects.filter(is_active=True)) or demo_stand_in_places()
    if not places or Signup.objects.exists():
        return
    start, end = (
        today - datetime.timedelta(days=SEASON_DAYS),
        today + datetime.timedelta(days=SEASON_DAYS),
    )
    with transaction.atomic():
        for index, place in enumerate(places):
            start_time, end_time = TIMES[index % len(TIMES)]
            series, _created = ShiftSeries.objects.get_or_create(
                place=place,
                role=roles[index % len(roles)],
                defaults={
                    "rrule": RULES[index % len(RULES)],
                    "starts_on": start,
                    "start_time": start_time,
                    "end_time": end_time,
                    "people_needed": 2 + index % 3,
                    "signup_cutoff_hours": 24,
                },
            )
            if index % 4 == 0:
                series.required_trainings.set([trainings[0]])
            shift_series_generate(series=series, start=start, end=end)
        _signups_and_hours(today=today, trainings=trainings)


def _signups_and_hours(*, today: datetime.date, trainings: list[Training]) -> None:
    volunteers = list(
        Supporter.objects.filter(
            is_volunteer=True, status=Supporter.Status.ACTIVE, kind=Supporter.Kind.PERSON
        ).order_by("pk")
    )
    if not volunteers:
        return
    VolunteerTraining.objects.bulk_create(
        VolunteerTraining(
            volunteer=v,
            training=trainings[i % len(trainings)],
            completed_on=today - datetime.timedelta(days=90 + 30 * (i % 12)),
            expires_on=today + datetime.timedelta(days=300 - 30 * (i % 12)),
        )
        for i, v in enumerate(volunteers)
    )
    company = Supporter.objects.filter(kind=Supporter.Kind.ORGANISATION).order_by("pk").first()

    if company is not None:
        EmployerLink.objects.get_or_create(volunteer=volunteers[0], defaults={"employer": company})

    cycle = itertools.cycle(volunteers)
    signups, counts = [], {}
    now = timezone.now()
    shifts = list(Shift.objects.filter(series__isnull=False).order_by("starts_at", "pk"))
    if not shifts:
        return
    for number, shift in enumerate(shifts):
        # Two thirds of the seats are taken ahead; past shifts were mostly full.
        taken = shift.people_needed if shift.starts_at < now else (shift.people_needed * 2) // 3
        if number % 7 == 3:
            taken = max(taken - 1, 0)  # a few unfilled shifts for the staff report
        chosen = {next(cycle).pk for _ in range(taken)}
        for position, volunteer_id in enumerate(sorted(chosen)):
            past = shift.ends_at < now
            status = Signup.Status.CONFIRMED
            if past:
                status = (
                    Signup.Status.NO_SHOW
                    if (number + position) % 9 == 0
                    else Signup.Status.ATTENDED
                )
            signups.append(Signup(shift=shift, volunteer_id=volunteer_id, status=status))
        counts[shift.pk] = len(chosen)
    Signup.objects.bulk_create(signups)
    for shift in shifts:
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=counts.get(shift.pk, 0))
    shift_by_pk = {shift.pk: shift for shift in shifts}
    links = dict(EmployerLink.objects.values_list("volunteer_id", "employer_id"))
    hours = []
    for signup in Signup.objects.filter(status=Signup.Status.ATTENDED):
        shift = shift_by_pk[signup.shift_id]
        hours.append(
            HoursEntry(
                volunteer_id=signup.volunteer_id,
                place_id=shift.place_id,
                signup=signup,
                employer_id=links.get(signup.volunteer_id),
                served_on=timezone.localtime(shift.starts_at).date(),
                minutes=int((shift.ends_at - shift.starts_at).total_seconds() // 60),
                source=HoursEntry.Source.ATTENDANCE,
                status=HoursEntry.Status.APPROVED,
            )
        )
    for index, volunteer in enumerate(volunteers[:3]):
        hours.append(
            HoursEntry(
                volunteer=volunteer,
                place_id=shifts[index].place_id,
                employer_id=links.get(volunteer.pk),
                served_on=today - datetime.timedelta(days=3 + index),
                minutes=90,
                source=HoursEntry.Source.REPORTED,
                status=HoursEntry.Status.PENDING,
                note="フードバンクの仕分け（追加分）",
            )
        )
    HoursEntry.objects.bulk_create(hours)

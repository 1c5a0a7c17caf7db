"""Import of existing volunteer lists (CSV / XLSX): skills, areas, availability and trainings of
supporters already in the members list (found by e-mail; import the people themselves with the
member import first).

The member import's machinery is reused: the capped streaming readers
(members/import_reading.py), its error shape in English and Japanese and its removal of our own
exports' formula protection (members/import_checks.py). As there: the whole file is checked
first (a preview that writes nothing), then every row is written in one transaction, or none.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from members.import_checks import FORMULA_ESCAPES, _error
from members.import_reading import ImportFileError, cell_text, csv_table, xlsx_table
from members.models import NOT_CONTACTABLE, Area, Skill, Supporter, VolunteerProfile
from members.normalise import normalise_email

from .models import Training, VolunteerTraining

COLUMNS = {
    "email": "メールアドレス",
    "skills": "スキル",
    "areas": "活動地域",
    "availability": "活動できる時間帯",
    "training": "研修",
    "completed_on": "研修修了日",
}
SEPARATORS = ("、", ",", ";", "，")

MSG_NO_EMAIL_COLUMN = _("The file needs a column named %(column)s.")
MSG_NO_SUPPORTER = _("No supporter has this e-mail address: import the person first.")
MSG_UNKNOWN = _("Not in the list: %(names)s.")
MSG_SLOT = _('Unknown time slots: %(names)s (write them like "sat-am" or "wed-eve").')
MSG_DATE = _("Enter the date like 2026-04-01.")
MSG_TRAINING_DATE = _("A training needs its completion date.")


@dataclass
class VolunteerImportReport:
    errors: list[dict] = field(default_factory=list)
    rows: int = 0
    written: bool = False


@dataclass
class _Line:
    supporter: Supporter
    skills: list[Skill]
    areas: list[Area]
    availability: list[str]
    training: Training | None
    completed_on: datetime.date | None


def _cell(cells: list, index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    value = cell_text(cells[index]).strip()
    return value[1:] if value.startswith(FORMULA_ESCAPES) else value


def _names(value: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        value = value.replace(separator, SEPARATORS[0])
    return [part.strip() for part in value.split(SEPARATORS[0]) if part.strip()]


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value.replace("/", "-")[:10])


def volunteer_list_import(*, upload, name: str, commit: bool) -> VolunteerImportReport:
    """Check the file; with `commit` and no errors, write every row in one transaction."""
    report = VolunteerImportReport()
    try:
        table = xlsx_table(upload) if name.lower().endswith(".xlsx") else csv_table(upload)
    except ImportFileError as problem:
        report.errors.append(_error(None, "", problem.message, problem.params or None))
        return report
    headers = [str(header or "").strip() for header in table.headers]
    index = {
        key: headers.index(label) if label in headers else None for key, label in COLUMNS.items()
    }
    if index["email"] is None:
        report.errors.append(_error(None, "", MSG_NO_EMAIL_COLUMN, {"column": COLUMNS["email"]}))
        return report
    skills = {skill.name: skill for skill in Skill.objects.all()}
    areas = {area.name: area for area in Area.objects.all()}
    trainings = {training.name: training for training in Training.objects.all()}
    slots = {code for code, _label in VolunteerProfile.slot_choices()}
    lines = []
    for line, cells in table.rows:
        if not any(cell_text(cell).strip() for cell in cells):
            continue
        report.rows += 1
        email = normalise_email(_cell(cells, index["email"]))
        supporter = (
            Supporter.objects.filter(email__iexact=email, kind=Supporter.Kind.PERSON)
            .exclude(status__in=NOT_CONTACTABLE)
            .first()
            if email
            else None
        )
        if supporter is None:
            report.errors.append(_error(line, COLUMNS["email"], MSG_NO_SUPPORTER))
            continue
        found = {}
        for key, known in (("skills", skills), ("areas", areas)):
            wanted = _names(_cell(cells, index[key]))
            unknown = [n for n in wanted if n not in known]
            if unknown:
                report.errors.append(
                    _error(line, COLUMNS[key], MSG_UNKNOWN, {"names": "、".join(unknown)})
                )
            found[key] = [known[n] for n in wanted if n in known]
        availability = [code.lower() for code in _names(_cell(cells, index["availability"]))]
        wrong = [code for code in availability if code not in slots]
        if wrong:
            report.errors.append(
                _error(line, COLUMNS["availability"], MSG_SLOT, {"names": "、".join(wrong)})
            )
        training_name = _cell(cells, index["training"])
        training, completed_on = None, None
        if training_name:
            training = trainings.get(training_name)
            if training is None:
                report.errors.append(
                    _error(line, COLUMNS["training"], MSG_UNKNOWN, {"names": training_name})
                )
            raw_date = _cell(cells, index["completed_on"])
            try:
                completed_on = _date(raw_date) if raw_date else None
            except ValueError:
                report.errors.append(_error(line, COLUMNS["completed_on"], MSG_DATE))
            else:
                if completed_on is None:
                    report.errors.append(_error(line, COLUMNS["completed_on"], MSG_TRAINING_DATE))
        lines.append(
            _Line(supporter, found["skills"], found["areas"], availability, training, completed_on)
        )
    table.close()
    if report.errors or not commit:
        return report
    with transaction.atomic():
        for row in lines:
            _write(row)
    report.written = True
    return report


def _write(row: _Line) -> None:
    supporter = row.supporter
    if not supporter.is_volunteer:
        supporter.is_volunteer = True
        supporter.save(update_fields=["is_volunteer", "updated_at"])
    profile, _created = VolunteerProfile.objects.get_or_create(supporter=supporter)
    profile.skills.add(*row.skills)
    profile.areas.add(*row.areas)
    merged = list(dict.fromkeys([*(profile.availability or []), *row.availability]))
    if merged != profile.availability:
        profile.availability = merged
        profile.save(update_fields=["availability", "updated_at"])
    if row.training is not None and row.completed_on is not None:
        VolunteerTraining.objects.get_or_create(
            volunteer=supporter, training=row.training, completed_on=row.completed_on
        )

""" "Download my data": everything held about a supporter, as JSON-ready values or one CSV.

Other apps add their sections through the privacy registry (members/privacy.py).
"""

import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from ouendan.core.exports import spreadsheet_csv

from .models import Supporter, VolunteerProfile
from .privacy import privacy_sections_export


def export_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def export_record(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row's fields as JSON-ready values (related rows by name), for "download my data"."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = export_value(getattr(instance, field.attname))
    return data


def supporter_export_data(*, supporter: Supporter) -> dict[str, Any]:
    """Everything held about a supporter, for "download my data": plain JSON-ready values.

    E-mails are listed without their bodies (they held login links); staff user accounts that
    reviewed a request are not named.
    """
    data: dict[str, Any] = {
        "exported_at": export_value(timezone.now()),
        "supporter": export_record(supporter, exclude=("current_membership", "search_text")),
        "volunteer_profile": None,
        "memberships": [
            export_record(membership, exclude=("supporter",))
            for membership in supporter.memberships.select_related("plan").order_by("created_at")
        ],
        "consents": [
            {
                **export_record(record, exclude=("supporter", "id")),
                "kind_label": str(record.get_kind_display()),
            }
            for record in supporter.consents.order_by("recorded_at", "pk")
        ],
        "deletion_requests": [
            export_record(request, exclude=("supporter", "reviewed_by"))
            for request in supporter.deletion_requests.order_by("requested_at")
        ],
        "emails": [
            {
                "subject": email.subject,
                "to": email.to,
                "status": email.status,
                "created_at": export_value(email.created_at),
                "sent_at": export_value(email.sent_at),
            }
            for email in supporter.emails.order_by("created_at", "pk")
        ],
    }
    data.update(privacy_sections_export(supporter=supporter))
    profile = VolunteerProfile.objects.filter(supporter=supporter).first()
    if profile is not None:
        data["volunteer_profile"] = {
            **export_record(profile, exclude=("supporter",)),
            "skills": [skill.name for skill in profile.skills.all()],
            "areas": [area.name for area in profile.areas.all()],
            "interests": [interest.name for interest in profile.interests.all()],
        }
    return data


def supporter_export_csv(*, supporter: Supporter) -> str:
    """`supporter_export_data` as one CSV table (section, record, field, value), with the
    byte-order mark and every cell made safe to open in a spreadsheet."""
    data = supporter_export_data(supporter=supporter)
    rows: list[list[Any]] = [["section", "record", "field", "value"]]

    def add(section: str, number: int | str, record: dict[str, Any]) -> None:
        for field, value in record.items():
            if isinstance(value, list | tuple):
                value = ", ".join(str(item) for item in value)
            rows.append([section, number, field, "" if value is None else value])

    rows.append(["export", "", "exported_at", data["exported_at"]])
    add("supporter", 1, data["supporter"])
    if data["volunteer_profile"]:
        add("volunteer_profile", 1, data["volunteer_profile"])
    for section, records in data.items():
        if section in ("exported_at", "supporter", "volunteer_profile"):
            continue
        for number, record in enumerate(records, start=1):
            add(section, number, record)
    return spreadsheet_csv(rows)

"""Import of pledges and deliveries (CSV / XLSX): the whole file is checked first with the
services' own rules and errors are reported by spreadsheet line; then every row is written in
one transaction, or nothing at all.

Pledges: rows with the same 参照番号 form one pledge; the supporter is found by e-mail.
Deliveries: rows with the same 寄付ID, 受領日 and 受領者 form one delivery.
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.imports import ImportFileError, _error
from members.resources import header_key
from members.services import supporter_find_duplicate

from ..models import Delivery, Pledge, PledgeLine
from ..rules import MSG_PLEDGE_LINE_OTHER, delivery_errors, goods_line_errors, wishlist_by_id
from ..services import delivery_record, pledge_offer
from .resources import STATE_WORDS, DeliveryLineResource, PledgeLineResource
from .rows import (
    MSG_CHOICE,
    Row,
    choice_word,
    columns_find,
    date_parse,
    int_or_none,
    int_parse,
    table_read,
)

MSG_NO_SUPPORTER = _(
    "No supporter has this e-mail address. Add or import the company under Members first."
)
MSG_NO_PLEDGE = _("There is no pledge with this ID.")
MSG_REFERENCE_EXISTS = _("A pledge with this reference was already imported.")
MSG_GROUP_DIFFERS = _(
    "Rows of the same pledge must repeat the same %(column)s (see line %(line)s)."
)


@dataclass
class ImportReport:
    errors: list[dict] = field(default_factory=list)
    pledges: int = 0
    deliveries: int = 0
    written: bool = False

    def add(self, line: int | None, column: str, message, params: dict | None = None) -> None:
        self.errors.append(_error(line, column, message, params))


PLEDGE_COLUMNS = {
    "reference": True,
    "email": True,
    "category": True,
    "description": True,
    "quantity": True,
    "unit": True,
}
DELIVERY_COLUMNS = {
    "pledge_id": True,
    "received_on": True,
    "received_by": True,
    "category": False,
    "description": False,
    "quantity": True,
    "unit": True,
}


def inkind_import(*, kind: str, upload, name: str, commit: bool, user=None) -> ImportReport:
    """Check a pledges or deliveries file; with `commit`, write it all or nothing."""
    report = ImportReport()
    try:
        table = table_read(upload, name)
        if kind == "pledges":
            columns = columns_find(PledgeLineResource, table.headers, PLEDGE_COLUMNS)
        else:
            columns = columns_find(DeliveryLineResource, table.headers, DELIVERY_COLUMNS)
        rows = [
            (line, cells) for line, cells in table.rows if any(c not in (None, "") for c in cells)
        ]
    except ImportFileError as exc:
        report.add(None, "", exc.message, exc.params or None)
        return report
    with transaction.atomic():
        if kind == "pledges":
            _import_pledges(report, rows, columns)
        else:
            _import_deliveries(report, rows, columns, user)
        report.written = commit and not report.errors
        if not report.written:
            transaction.set_rollback(True)  # a check, or errors: nothing stays written
    if report.errors:
        report.pledges = report.deliveries = 0
    return report


def _import_pledges(report: ImportReport, rows, columns) -> None:
    resource = PledgeLineResource()
    groups: OrderedDict[str, list] = OrderedDict()
    for line, cells in rows:
        row = Row(report, resource, line, cells, columns)
        reference = row.text("reference", required=True)
        groups.setdefault(reference or f"#{line}", []).append(row)
    existing = set(
        Pledge.objects.filter(import_reference__in=list(groups)).values_list(
            "import_reference", flat=True
        )
    )
    wishlist = wishlist_by_id(
        ids=(
            int_or_none(row.text("wishlist_item_id")) for group in groups.values() for row in group
        )
    )
    for reference, group in groups.items():
        first = group[0]
        if reference in existing:
            first.fail("reference", MSG_REFERENCE_EXISTS)
            continue
        for name in (
            "email",
            "offered_on",
            "recurrence",
            "first_delivery_on",
            "recurrence_until",
            "delivery_method",
            "state",
        ):
            values = {row.text(name) for row in group}
            if len(values) > 1:
                for row in group[1:]:
                    if row.text(name) != first.text(name):
                        row.fail(
                            name,
                            MSG_GROUP_DIFFERS,
                            {"column": resource.fields[name].column_name, "line": first.line},
                        )
                        break
        email = first.text("email", required=True)
        supporter = supporter_find_duplicate(email=email.lower()) if email else None
        if email and supporter is None:
            first.fail("email", MSG_NO_SUPPORTER)
        offered_on = first.parsed("offered_on", date_parse) or timezone.localdate()
        recurrence = choice_word(first, "recurrence", Pledge.Recurrence, Pledge.Recurrence.ONCE)
        method = choice_word(
            first, "delivery_method", Pledge.DeliveryMethod, Pledge.DeliveryMethod.DROP_OFF
        )
        state_word = header_key(first.text("state"))
        accepted = STATE_WORDS.get(state_word)
        if accepted is None:
            first.fail("state", MSG_CHOICE, {"value": first.text("state"), "choices": "申出、承諾"})
        lines = []
        for row in group:
            wishlist_id = row.parsed("wishlist_item_id", int_parse)
            goods = row.goods_line()
            if goods is None:
                continue
            goods.wishlist_item_id = wishlist_id
            row.line_errors(goods_line_errors(line=goods, wishlist=wishlist, today=offered_on))
            lines.append(goods)
        if not all(row.ok for row in group) or supporter is None:
            continue
        created_at = timezone.make_aware(datetime.datetime.combine(offered_on, datetime.time(12)))
        try:
            pledge_sid = transaction.savepoint()
            pledge_offer(
                supporter=supporter,
                lines=lines,
                recurrence=recurrence,
                first_delivery_on=first.parsed("first_delivery_on", date_parse),
                recurrence_until=first.parsed("recurrence_until", date_parse),
                delivery_method=method,
                message=first.text("message"),
                source=Pledge.Source.IMPORT,
                import_reference=reference,
                accepted=bool(accepted),
                created_at=created_at,
                today=offered_on,
            )
            transaction.savepoint_commit(pledge_sid)
            report.pledges += 1
        except ValidationError as exc:
            transaction.savepoint_rollback(pledge_sid)
            for message in exc.messages:
                first.fail("reference", "%(error)s", {"error": message})


def _import_deliveries(report: ImportReport, rows, columns, user) -> None:
    resource = DeliveryLineResource()
    groups: OrderedDict[tuple, list] = OrderedDict()
    for line, cells in rows:
        row = Row(report, resource, line, cells, columns)
        key = (
            row.text("pledge_id", True),
            row.text("received_on", True),
            row.text("received_by", True),
        )
        groups.setdefault(key, []).append(row)
    pledge_ids = {int_or_none(key[0]) for key in groups} - {None}
    pledges = Pledge.objects.in_bulk(pledge_ids)
    lines_by_pledge: dict[int, dict[int, PledgeLine]] = {}
    for pledge_line in PledgeLine.objects.filter(pledge_id__in=pledge_ids):
        lines_by_pledge.setdefault(pledge_line.pledge_id, {})[pledge_line.pk] = pledge_line
    for (pledge_text, _received, received_by), group in groups.items():
        first = group[0]
        pledge = pledges.get(int_or_none(pledge_text))
        if pledge_text and pledge is None:
            first.fail("pledge_id", MSG_NO_PLEDGE)
        received_on = first.parsed("received_on", date_parse)
        condition = choice_word(first, "condition", Delivery.Condition, Delivery.Condition.GOOD)
        lines = []
        for row in group:
            pledge_line_id = row.parsed("pledge_line_id", int_parse)
            pledged = lines_by_pledge.get(pledge.pk, {}).get(pledge_line_id) if pledge else None
            if pledge_line_id and pledge is not None and pledged is None:
                row.fail("pledge_line_id", MSG_PLEDGE_LINE_OTHER)
            goods = row.goods_line(pledge_line_id=pledge_line_id, required_category=not pledged)
            if goods is None:
                continue
            if pledged is not None:
                goods.category = goods.category or pledged.category
                goods.description = goods.description or pledged.description
            lines.append((row, goods))
        if pledge is None or received_on is None or not all(row.ok for row in group):
            continue
        _errors, line_errors = delivery_errors(
            pledge=pledge,
            lines=[goods for _row, goods in lines],
            received_on=received_on,
            received_by=received_by,
        )
        for (row, _goods), problems in zip(lines, line_errors, strict=True):
            row.line_errors(problems)
        for name, problems in _errors.items():
            for problem in problems:
                first.fail(name, problem.message, problem.params)
        if not all(row.ok for row in group):
            continue
        sid = transaction.savepoint()
        try:
            delivery_record(
                pledge=pledge,
                received_on=received_on,
                received_by=received_by,
                condition=condition,
                note=first.text("note"),
                lines=[goods for _row, goods in lines],
                recorded_by=user,
                thank=False,
            )
            transaction.savepoint_commit(sid)
            report.deliveries += 1
        except ValidationError as exc:
            transaction.savepoint_rollback(sid)
            for message in exc.messages:
                first.fail("pledge_id", "%(error)s", {"error": message})

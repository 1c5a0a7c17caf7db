"""Writing a checked supporter import (members/imports.py): one statement per batch of rows.

Both helpers take values the checker has already normalised and validated, so they skip Django's
per-instance machinery (bulk_create's model instances and pre_save, bulk_update's CASE WHEN per
row and field), which was most of the write's time in bench/members_import.py --profile.
"""

import datetime

from django.db import connections, router

from .models import Supporter

# Cell values pass to the database driver as they are: Django's get_db_prep_save returns a str
# (TextChoices included) or a bool unchanged for these fields. Anything else is prepared.
_AS_IS = (str, bool, type(None))


def supporters_insert(rows: list[dict], now: datetime.datetime) -> None:
    """New supporters from checked rows. On PostgreSQL one COPY per batch (the rows stream in a
    single round trip, no statement per row); elsewhere one prepared INSERT run through
    executemany. Columns the file does not fill get the model's defaults; the search column is
    computed by the database, so imported rows are searchable at once, no index rebuilt."""
    connection = connections[router.db_for_write(Supporter)]
    quote = connection.ops.quote_name
    meta = Supporter._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    fixed = {
        "status": Supporter.Status.ACTIVE,
        "source": Supporter.Source.IMPORT,
        "created_at": now,
        "updated_at": now,
    }
    # Defaults and fixed values prepared once per batch, not once per row.
    prepared = {
        f.attname: f.get_db_prep_save(fixed.get(f.attname, f.get_default()), connection)
        for f in fields
    }
    names = [f.attname for f in fields]
    by_name = {f.attname: f for f in fields}
    params = []
    for row in rows:
        values = dict(prepared)
        for name, value in row.items():
            if name in fixed:
                continue
            if not isinstance(value, _AS_IS):
                value = by_name[name].get_db_prep_save(value, connection)
            values[name] = value
        params.append([values[name] for name in names])
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Table and column names come from the model, never from the file.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)  # noqa: S608


def supporters_update(changes: dict[int, dict], names: list[str], now: datetime.datetime) -> None:
    """Existing supporters from checked rows (`changes`: pk → the row's filled cells), as one
    prepared UPDATE run through executemany: `column = COALESCE(cell, column)` for each of
    `names`, so a cell the row left blank (None here) keeps what we hold, with no reload of the
    rows first.

    Django's bulk_update builds a CASE WHEN per row and field (2,000 rows × 19 fields took 4.7 s),
    and loading the rows to set their attributes cost another 0.5 s per 10,000; this takes a few
    milliseconds per batch on SQLite and PostgreSQL alike.
    """
    connection = connections[router.db_for_write(Supporter)]
    quote = connection.ops.quote_name
    meta = Supporter._meta
    fields = [(name, meta.get_field(name)) for name in names if name != "updated_at"]
    assignments = ", ".join(
        f"{quote(f.column)} = COALESCE(%s, {quote(f.column)})" for _name, f in fields
    )
    # Table and column names come from the model, never from the file.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments}, {quote('updated_at')} = %s"  # noqa: S608
        f" WHERE {quote(meta.pk.column)} = %s"
    )
    stamp = meta.get_field("updated_at").get_db_prep_save(now, connection)
    params = []
    for pk, values in changes.items():
        row = []
        for name, f in fields:
            value = values.get(name)
            if value is not None and not isinstance(value, _AS_IS):
                value = f.get_db_prep_save(value, connection)
            row.append(value)
        row += [stamp, pk]
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)

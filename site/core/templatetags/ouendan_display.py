"""Template filters for staff screens, the same rules as ouendan.core.display:
``{{ gift.amount_yen|yen }}``, ``{{ email.created_at|local_datetime }}``, ``|local_date``,
``|yes_no``, ``|display`` (any value; "—" for nothing)."""

from django import template

from .. import display as d

register = template.Library()

register.filter("yen", d.yen)
register.filter("local_datetime", d.local_datetime, expects_localtime=False)
register.filter("local_date", d.local_date, expects_localtime=False)
register.filter("yes_no", d.yes_no)
register.filter("display", d.display, expects_localtime=False)

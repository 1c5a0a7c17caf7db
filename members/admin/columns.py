"""Columns of the supporter list that render their cells without a template per cell.

Wagtail renders every cell through a template of its own (`wagtailadmin/tables/cell.html`):
50 rows × 9 columns are 450 template renders a page, the largest part of the list's time once
its queries are fast (profiled with bench/members_list.py --profile). The plain columns write
the same `<td>` with format_html (escaped as the template would). The title column, with its
link and "more" dropdown, is rendered by Wagtail's own template once per page and copied for
each row (`StampedTitleColumn`).
"""

import re

from django.contrib.admin.utils import quote
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from ouendan.core.admin_display import (
    DisplayColumn,
    DisplayTitleColumn,
    LocalDateColumn,
    LocalDateTimeColumn,
    NoWrapColumn,
)


class PlainCellMixin:
    def render_cell_html(self, instance, parent_context):
        value = self.formatter(self.get_value(instance))
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class PlainDisplayColumn(PlainCellMixin, DisplayColumn):
    pass


class PlainNoWrapColumn(PlainCellMixin, NoWrapColumn):
    pass


class PlainLocalDateColumn(PlainCellMixin, LocalDateColumn):
    pass


class PlainLocalDateTimeColumn(PlainCellMixin, LocalDateTimeColumn):
    pass


# Marks no supporter's id, name or URL contains: digits only for the id (URL patterns take
# <int:pk>), letters only for the texts (escaping leaves them as they are).
_PK_MARK = "7319046285519"
_VALUE_MARK = "qxstampvalueqx"
_STR_MARK = "qxstampstrqx"
_MARKS = re.compile(f"({_PK_MARK}|{_VALUE_MARK}|{_STR_MARK})")


class _StandIn:
    """The row the title cell is rendered for once: its id and name are marks."""

    def __init__(self):
        self.pk = self.id = int(_PK_MARK)

    def __str__(self):
        return _STR_MARK


class StampedTitleColumn(DisplayTitleColumn):
    """The title cell rendered by Wagtail's template once per request, for a stand-in row, then
    copied for each row with its id (in the URLs), title and name (in the dropdown's label).

    A row's cell depends on nothing else: its link is the row's inspect (or edit) URL and its
    buttons come from the user's permissions on the model (generic IndexView.get_list_buttons),
    not from the row. tests/members/test_list_speed.py compares it with Wagtail's rendering."""

    def _stamp(self, parent_context):
        request = parent_context.get("request")
        cached = getattr(self, "_stamp_cache", None)
        if cached and cached[0] is request:
            return cached[1]
        stand_in = _StandIn()
        context = self.get_cell_context_data(stand_in, parent_context)
        context["value"] = _VALUE_MARK
        html = str(self.cell_template.render(context))
        parts = _MARKS.split(html)
        self._stamp_cache = (request, parts)
        return parts

    def render_cell_html(self, instance, parent_context):
        parts = self._stamp(parent_context)
        values = {
            _PK_MARK: str(quote(instance.pk)),
            _VALUE_MARK: conditional_escape(self.formatter(self.get_value(instance))),
            _STR_MARK: escape(str(instance)),
        }
        # split() with a group: marks at the odd positions, the template's text between them.
        return mark_safe(  # noqa: S308 - the template's output and escaped values only
            "".join(values[part] if index % 2 else part for index, part in enumerate(parts))
        )

"""Columns of the supporter list that render their cells without a template.

Wagtail renders every cell through a template of its own (`wagtailadmin/tables/cell.html`):
50 rows × 8 plain columns are 400 template renders a page, the largest part of the list's time
once its queries are fast (profiled with bench/members_list.py --profile). These columns write
the same `<td>` with format_html (escaped as the template would); the title column, with its
buttons, stays Wagtail's own.
"""

from django.utils.html import format_html

from ouendan.core.admin_display import (
    DisplayColumn,
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

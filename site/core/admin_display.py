"""The display rules of display.py for Wagtail's staff screens: table columns, the fields of
detail (inspect) screens, and totals of a filtered list.

- Columns: ``DisplayColumn`` (any value), ``YenColumn`` (right-aligned ¥), ``LocalDateTimeColumn``,
  ``DisplayTitleColumn`` (the linked first column). ``DisplayIndexMixin`` makes an IndexView
  build its ``list_display`` strings with them (by the model field's type).
- Detail screens: ``register_inspect_displays()`` (called once in CoreConfig.ready) registers a
  display for every model field with Wagtail, so every InspectView shows local time, yen,
  はい/いいえ and "—". Wagtail's own inspect template prints a raw value through ``|localize``,
  which formats a UTC datetime as it is stored (9 hours early in Japan): that was the bug.
  ``DisplayInspectMixin`` also covers what is not a model field (properties, ``get_*_display``).
- ``FilterTotalMixin``: a sum of the filtered list, one aggregate query, shown above the table.
"""

from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import conditional_escape, format_html, linebreaks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.fields import register_display_class
from wagtail.admin.ui.tables import Column, TitleColumn

from . import display as d

NUM_CLASS = "ouendan-num"  # right-aligned, tabular figures, no wrapping (core/display.css)
NOWRAP_CLASS = "ouendan-nowrap"


def _with_class(kwargs: dict, classname: str) -> dict:
    kwargs["classname"] = " ".join(filter(None, [kwargs.get("classname"), classname]))
    return kwargs


# --- Columns -------------------------------------------------------------------------------------


class DisplayColumnMixin:
    """The cell shows ``formatter(value)``: never None, True/False, a code or UTC."""

    formatter = staticmethod(d.display)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = self.formatter(context["raw_value"])
        return context


class DisplayColumn(DisplayColumnMixin, Column):
    pass


class DisplayTitleColumn(DisplayColumnMixin, TitleColumn):
    pass


class YenColumn(DisplayColumn):
    formatter = staticmethod(d.yen)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_class(kwargs, NUM_CLASS))


class NumberColumn(DisplayColumn):
    """A count, right-aligned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_class(kwargs, NUM_CLASS))


def local_datetime_html(value) -> str:
    """A moment whose date and time may go on two lines, but never break inside either (a
    Japanese date would otherwise break between any two characters)."""
    text = d.local_datetime(value)
    date, sep, time = text.rpartition(" ")
    if not sep:
        return conditional_escape(text)
    return format_html(
        '<span class="{0}">{1}</span> <span class="{0}">{2}</span>', NOWRAP_CLASS, date, time
    )


class LocalDateTimeColumn(DisplayColumn):
    formatter = staticmethod(local_datetime_html)


class LocalDateColumn(DisplayColumn):
    formatter = staticmethod(d.local_date)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_class(kwargs, NOWRAP_CLASS))


class NoWrapColumn(DisplayColumn):
    """Short values that must stay on one line (phone numbers, codes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_class(kwargs, NOWRAP_CLASS))


def link_html(link) -> str:
    """(text, url) as a link; (text, None) as text; None as "—"."""
    if not link:
        return d.EMPTY
    text, url = link
    if not url:
        return conditional_escape(text)
    return format_html('<a href="{}">{}</a>', url, text)


class LinkColumn(Column):
    """The accessor returns (text, url) or None: a link to a related object."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = link_html(context["raw_value"])
        return context


def model_field(model, field_name: str):
    """The model field a list_display name points to (through ``__`` relations), or None."""
    *relations, name = field_name.split(LOOKUP_SEP)
    try:
        for relation in relations:
            model = model._meta.get_field(relation).related_model
        return model._meta.get_field(name)
    except Exception:  # a property or method: no field  # noqa: BLE001
        return None


def column_class_for(model, field_name: str, *, title: bool = False):
    field = model_field(model, field_name)
    if title:
        return DisplayTitleColumn
    if field_name.endswith("_yen"):
        return YenColumn
    if isinstance(field, models.DateTimeField):
        return LocalDateTimeColumn
    if isinstance(field, models.DateField):
        return LocalDateColumn
    if isinstance(field, (models.IntegerField, models.DecimalField)) and not field.choices:
        return NumberColumn
    return DisplayColumn


class DisplayIndexMixin:
    """For an IndexView: the columns Wagtail builds from ``list_display`` strings format their
    values (local time, yen right-aligned, labels, "—"). ``title_links_to_inspect``: the first
    column links to the detail screen (which has the edit button when editing is allowed)."""

    title_links_to_inspect = False

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            column_class = column_class_for(self.model, field_name)
        elif column_class is TitleColumn:
            column_class = DisplayTitleColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        if column_class is TitleColumn:
            column_class = DisplayTitleColumn
        if not self.title_links_to_inspect:
            return super()._get_title_column(field_name, column_class, **kwargs)
        column_class = self._get_title_column_class(column_class)
        return self._get_custom_column(
            field_name, column_class, get_url=self.get_inspect_url, **kwargs
        )


class FilterTotalMixin:
    """Totals over everything the list's filters and search select (not just the page), in one
    aggregate query, shown above the table. Override ``get_total_aggregates`` (name → aggregate)
    and ``get_total_rows`` (the aggregates → [(label, text)])."""

    results_template_name = "core/admin/index_results_total.html"

    def get_total_aggregates(self) -> dict:
        return {}

    def get_total_rows(self, totals: dict) -> list[tuple[str, str]]:
        return []

    def get_filter_totals(self) -> dict:
        queryset = getattr(self, "object_list", None)
        if queryset is None:
            queryset = self.get_queryset()
        return queryset.order_by().aggregate(**self.get_total_aggregates())

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["filter_totals"] = self.get_total_rows(self.get_filter_totals())
        return context


# --- Detail (inspect) screens --------------------------------------------------------------------


class ValueDisplay(Component):
    """One value of a detail screen, as text (multi-line text keeps its lines)."""

    formatter = staticmethod(d.display)

    def __init__(self, value, field=None):
        self.value = value
        self.field = field

    def render_html(self, parent_context=None):
        text = (
            d.display_for_field(self.field, self.value)
            if self.field
            else self.formatter(self.value)
        )
        if "\n" in text:
            return linebreaks(text, autoescape=True)
        return conditional_escape(text)


class JSONDisplay(ValueDisplay):
    def render_html(self, parent_context=None):
        return format_html('<pre class="ouendan-json">{}</pre>', d.json_text(self.value))


def _display_class_for(field):
    """Wagtail asks once per field; the class it returns is built with the value only."""
    base = JSONDisplay if isinstance(field, models.JSONField) else ValueDisplay
    return type(base.__name__, (base,), {"__init__": _bound_init(field)})


def _bound_init(field):
    def __init__(self, value):
        ValueDisplay.__init__(self, value, field)

    return __init__


def register_inspect_displays() -> None:
    """Every model field of every detail screen (plain fields, and foreign keys to anything
    Wagtail has no display of its own for, such as images and documents)."""
    register_display_class(models.Field, display_class=_display_class_for)
    register_display_class(models.ForeignKey, to=models.Model, display_class=ValueDisplay)


class DisplayInspectMixin:
    """For an InspectView: what is not a model field (a property, a ``get_*_display`` that
    returns nothing) is shown by the same rules; yen for names ending in ``_yen``."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, Component):
            return value
        if field is None and field_name.endswith("_yen"):
            return d.yen(value)
        return ValueDisplay(value)

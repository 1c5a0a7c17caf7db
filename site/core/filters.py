"""Filters shared by the staff list screens."""

import django_filters
from django import forms


class CheckboxFilter(django_filters.BooleanFilter):
    """A tick box that filters only when ticked. Unticked is its initial value, so Wagtail shows
    no "active filter" chip for a filter nobody set."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        kwargs.setdefault("initial", False)
        super().__init__(*args, **kwargs)

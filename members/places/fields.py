"""A list of choices kept in one JSON column, edited as tick boxes (what a place offers, the
weeks of the month a schedule opens)."""

from django import forms
from django.core import exceptions
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.JSONField):
    """A JSON list whose items must each be one of `choices` (all of one type: str or int)."""

    def formfield(self, **kwargs):
        first = self.choices[0][0] if self.choices else ""
        return forms.TypedMultipleChoiceField(
            choices=self.choices,
            coerce=type(first),
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        if not isinstance(value, list):
            raise exceptions.ValidationError(_("Choose from the list."), code="invalid_choice")
        allowed = {choice for choice, _label in self.flatchoices}
        if any(item not in allowed for item in value):
            raise exceptions.ValidationError(_("Choose from the list."), code="invalid_choice")
        if not value and not self.blank:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

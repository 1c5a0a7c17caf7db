"""The pledge workflow screens: accept, schedule, decline or cancel, and record a delivery."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import services
from ..forms import (
    DeliveryForm,
    DeliveryLineFormSet,
    ReasonForm,
    ScheduleForm,
    delivery_form_errors,
    delivery_forms_lines,
)
from ..models import Pledge
from ..rules import PLEDGE_TRANSITIONS, quantity_display

ACTION_BUTTONS = [
    ("accept", _("Accept")),
    ("schedule", _("Schedule")),
    ("decline", _("Decline")),
    ("cancel", _("Cancel pledge")),
]


class PledgeActionView(WagtailAdminTemplateMixin, TemplateView):
    """Accept, schedule, decline or cancel one pledge (with a reason where needed)."""

    template_name = "goods/admin/pledge_action.html"
    header_icon = "clipboard-list"
    FORMS = {"schedule": ScheduleForm, "decline": ReasonForm, "cancel": ReasonForm}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("goods.change_pledge"):
            raise PermissionDenied
        self.action = kwargs["action"]
        if self.action not in PLEDGE_TRANSITIONS or self.action == "deliver":
            raise Http404
        self.pledge = get_object_or_404(Pledge.objects.select_related("supporter"), pk=kwargs["pk"])
        form_class = self.FORMS.get(self.action)
        initial = {"first_delivery_on": self.pledge.first_delivery_on}
        self.form = form_class(request.POST or None, initial=initial) if form_class else None
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return dict(ACTION_BUTTONS)[self.action]

    def get_page_subtitle(self):
        return str(self.pledge)

    def post(self, request, *args, **kwargs):
        if self.form is not None and not self.form.is_valid():
            return self.get(request, *args, **kwargs)
        data = self.form.cleaned_data if self.form is not None else {}
        try:
            if self.action == "accept":
                services.pledge_accept(pledge=self.pledge, by=request.user)
                messages.success(request, gettext("Pledge accepted; a thank-you e-mail is sent."))
            elif self.action == "schedule":
                services.pledge_schedule(
                    pledge=self.pledge, first_delivery_on=data["first_delivery_on"], by=request.user
                )
                messages.success(request, gettext("Pledge scheduled."))
            elif self.action == "decline":
                services.pledge_decline(pledge=self.pledge, reason=data["reason"], by=request.user)
                messages.success(request, gettext("Pledge declined."))
            else:
                services.pledge_cancel(pledge=self.pledge, reason=data["reason"], by=request.user)
                messages.success(request, gettext("Pledge cancelled."))
        except ValidationError as exc:
            if self.form is not None and hasattr(exc, "error_dict"):
                for name, problems in exc.error_dict.items():
                    for problem in problems:
                        self.form.add_error(name if name in self.form.fields else None, problem)
                return self.get(request, *args, **kwargs)
            for message in exc.messages:
                messages.error(request, message)
        return redirect("pledge:inspect", quote(self.pledge.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pledge=self.pledge,
            form=self.form,
            action=self.action,
            inspect_url=reverse("pledge:inspect", args=(quote(self.pledge.pk),)),
        )
        return context


class DeliveryRecordView(WagtailAdminTemplateMixin, TemplateView):
    """Record goods received for a pledge: quantity per pledged line, date, condition, who."""

    template_name = "goods/admin/delivery_record.html"
    header_icon = "download"
    page_title = _("Record a delivery")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("goods.add_delivery"):
            raise PermissionDenied
        self.pledge = get_object_or_404(Pledge.objects.select_related("supporter"), pk=kwargs["pk"])
        self.pledge_lines = list(self.pledge.lines.order_by("sort_order", "pk"))
        self.form = DeliveryForm(
            request.POST or None,
            initial={
                "received_on": timezone.localdate(),
                "received_by": request.user.get_full_name() or request.user.get_username(),
            },
        )
        self.formset = DeliveryLineFormSet(
            request.POST or None,
            prefix="received",
            initial=[
                {
                    "pledge_line": line.pk,
                    "quantity": quantity_display(line.quantity).replace(",", ""),
                    "best_before": line.best_before,
                }
                for line in self.pledge_lines
            ],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.pledge)

    def post(self, request, *args, **kwargs):
        if not (self.form.is_valid() and self.formset.is_valid()):
            return self.get(request, *args, **kwargs)
        lines = delivery_forms_lines(
            pledge=self.pledge, formset=self.formset, pledge_lines=self.pledge_lines
        )
        if delivery_form_errors(
            pledge=self.pledge, form=self.form, formset=self.formset, lines=lines
        ):
            return self.get(request, *args, **kwargs)
        data = self.form.cleaned_data
        try:
            result = services.delivery_record(
                pledge=self.pledge,
                received_on=data["received_on"],
                received_by=data["received_by"],
                condition=data["condition"],
                note=data["note"],
                lines=lines,
                recorded_by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.form.add_error(None, message)
            return self.get(request, *args, **kwargs)
        messages.success(request, gettext("Delivery recorded; a thank-you e-mail is sent."))
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect("pledge:inspect", quote(self.pledge.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_pk = {line.pk: line for line in self.pledge_lines}
        context.update(
            pledge=self.pledge,
            form=self.form,
            formset=self.formset,
            rows=[
                (
                    form,
                    by_pk.get(form.initial.get("pledge_line") or _int(form["pledge_line"].value())),
                )
                for form in self.formset.forms
            ],
            inspect_url=reverse("pledge:inspect", args=(quote(self.pledge.pk),)),
        )
        return context


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

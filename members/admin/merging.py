""" "Merge into…": staff choose the record that stays (the supporter chooser), see both records
side by side with what will move (a dry run of the merge itself, so the counts cannot differ
from what happens), and confirm; members.merge.supporter_merge does it in one transaction.

One URL, `supporter:merge <pk>` (pk: the duplicate): GET without `into` shows the chooser,
GET with `into` the confirm screen, POST merges. Needs the permission to change supporters."""

from django import forms
from django.apps import apps
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ..merge import supporter_merge
from ..models import Supporter
from .chooser import supporter_chooser_viewset
from .detail import raw_fields


class MergeChooseForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("The record that stays"),
        queryset=Supporter.objects.exclude(
            status__in=[Supporter.Status.ANONYMISED, Supporter.Status.MERGED]
        ),
        widget=supporter_chooser_viewset.widget_class,
        help_text=_("Everything of this record moves to the one you choose."),
    )


def _moved_lines(result, user) -> tuple[list[tuple[str, int]], bool]:
    """(label, count) for the counts this user may see, and whether some were left out."""
    lines, hidden = [], False
    for item in result.moved:
        if item.permission and not user.has_perm(item.permission):
            hidden = hidden or item.count > 0
            continue
        if item.count:
            model = apps.get_model(item.label)
            lines.append((str(model._meta.verbose_name_plural), item.count))
    return lines, hidden


class SupporterMergeView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = Supporter
    template_name = "members/admin/supporter_merge.html"
    permission_required = "change"
    page_title = _("Merge into another record")
    header_icon = "group"
    index_url_name = None
    inspect_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Supporter, pk=kwargs["pk"])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": Supporter._meta.verbose_name_plural},
            {"url": self._inspect_url(self.object), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def _inspect_url(self, supporter):
        return reverse(self.inspect_url_name, args=(quote(supporter.pk),))

    def get(self, request, *args, **kwargs):
        form = MergeChooseForm(request.GET if "into" in request.GET else None)
        context = {"form": form, "object": self.object}
        if form.is_bound and form.is_valid():
            survivor = form.cleaned_data["into"]
            try:
                preview = supporter_merge(
                    survivor=survivor, duplicate=self.object, by_user=request.user, dry_run=True
                )
            except ValidationError as exc:
                form.add_error("into", exc)
            else:
                context.update(self._confirm_context(survivor, preview))
        return self.render_to_response(self.get_context_data(**context))

    def _confirm_context(self, survivor, preview) -> dict:
        lines, hidden = _moved_lines(preview, self.request.user)
        current = {"pending", "active"}
        both_current = all(
            record.memberships.filter(status__in=current).exists()
            for record in (survivor, self.object)
        )
        return {
            "survivor": survivor,
            "columns": [
                (gettext("Stays"), survivor, raw_fields(survivor)),
                (gettext("Merged into it"), self.object, raw_fields(self.object)),
            ],
            "moved": lines,
            "moved_hidden": hidden,
            "filled": [
                str(Supporter._meta.get_field(name).verbose_name) for name in preview.filled
            ],
            "both_current_memberships": both_current,
        }

    def post(self, request, *args, **kwargs):
        form = MergeChooseForm(request.POST)
        if not form.is_valid():
            return self.get(request, *args, **kwargs)
        survivor = form.cleaned_data["into"]
        try:
            supporter_merge(survivor=survivor, duplicate=self.object, by_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self._inspect_url(self.object))
        messages.success(
            request,
            gettext("%(duplicate)s was merged into this record.") % {"duplicate": self.object},
        )
        return redirect(self._inspect_url(survivor))

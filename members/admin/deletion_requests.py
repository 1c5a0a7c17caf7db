"""The review of deletion requests: approve (anonymise the supporter) or reject."""

from django import forms
from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core.admin_display import DisplayColumn, DisplayTitleColumn, LocalDateTimeColumn

from ..models import (
    DeletionRequest,
)
from ..privacy import deletion_request_reject, supporter_anonymise


class DeletionRequestFilterSet(WagtailFilterSet):
    class Meta:
        model = DeletionRequest
        fields = ["status"]


class DeletionRequestIndexView(generic.IndexView):
    review_url_name = None

    def get_base_queryset(self):
        return DeletionRequest.objects.select_related("supporter", "reviewed_by")

    def get_edit_url(self, instance):
        if self.user_has_permission("change"):
            return reverse(self.review_url_name, args=(quote(instance.pk),))

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(DisplayTitleColumn)
        return [
            title_column_class(
                "supporter",
                label=_("Supporter"),
                accessor="supporter",
                get_url=self.get_edit_url,
            ),
            DisplayColumn("status", label=_("Status"), accessor="get_status_display"),
            LocalDateTimeColumn("requested_at", label=_("Requested"), accessor="requested_at"),
            DisplayColumn("reason", label=_("Reason"), accessor="reason"),
            DisplayColumn("reviewed_by", label=_("Reviewed by"), accessor="reviewed_by"),
        ]


class DeletionReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the request was rejected. Kept with the request."),
    )


class DeletionRequestReviewView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Approve (anonymise the supporter) or reject one deletion request."""

    model = DeletionRequest
    template_name = "members/admin/deletion_request_review.html"
    permission_required = "change"
    page_title = _("Review deletion request")
    index_url_name = None
    inspect_url_name = None
    header_icon = "bin"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            DeletionRequest.objects.select_related("supporter"), pk=kwargs["pk"]
        )
        self.form = DeletionReviewForm(request.POST or None)

    def post(self, request, *args, **kwargs):
        if self.object.status == DeletionRequest.Status.PENDING and self.form.is_valid():
            return self.review(self.form)
        return self.get(request, *args, **kwargs)

    def review(self, form):
        supporter = self.object.supporter
        if "approve" in self.request.POST:
            supporter_anonymise(
                supporter=supporter, reviewed_by=self.request.user, deletion_request=self.object
            )
            messages.success(self.request, gettext("The supporter's personal data was deleted."))
        else:
            deletion_request_reject(
                deletion_request=self.object,
                reviewed_by=self.request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(self.request, gettext("The deletion request was rejected."))
        return redirect(self.index_url_name)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": DeletionRequest._meta.verbose_name},
            {"url": "", "label": self.get_page_title(), "sublabel": str(self.object.supporter)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["form"] = self.form
        context["supporter"] = self.object.supporter
        context["is_pending"] = self.object.status == DeletionRequest.Status.PENDING
        context["supporter_url"] = reverse(
            self.inspect_url_name, args=(quote(self.object.supporter_id),)
        )
        return context


class DeletionRequestViewSet(ModelViewSet):
    """Only a list and the review screen: requests come from the member portal."""

    model = DeletionRequest
    icon = "bin"
    menu_order = 160
    index_view_class = DeletionRequestIndexView
    filterset_class = DeletionRequestFilterSet
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["supporter__family_name", "supporter__organisation_name", "reason"]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ["add_url_name", "edit_url_name", "delete_url_name", "copy_url_name"]:
            view_kwargs[name] = None
        return view_kwargs

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(review_url_name=self.get_url_name("review"), **kwargs)

    @property
    def url_finder_class(self):
        # There is no edit screen: the edit log (site history) links a request to its review.
        return type(
            "_DeletionRequestURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("review")},
        )

    @property
    def review_view(self):
        return DeletionRequestReviewView.as_view(
            index_url_name=self.get_url_name("index"),
            inspect_url_name="supporter:inspect",
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("review/<int:pk>/", self.review_view, name="review"),
        ]

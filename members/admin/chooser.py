"""Supporter choosers, limited to staff who may see supporters.

One searchable listing serves every chooser of supporters (memberships here, donors for offline
gifts and receipts in donations/admin_views.py): search by name, kana in any script, e-mail or
phone (the supporter list's own search, members.selectors.supporters_search), and each row shows
the kana, e-mail, postal area and supporter number, so two people of the same name are told apart.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

from ouendan.core.admin_permissions import ListPermissionChooserMixin

from ..models import Supporter
from ..selectors import supporters_search


def supporter_choice_label(supporter: Supporter) -> str:
    """The name with what tells namesakes apart: 鈴木 一郎（スズキ イチロウ · a@example.jp）."""
    details = [
        value
        for value in (supporter.display_name_kana, supporter.email or supporter.phone)
        if value
    ]
    name = str(supporter)
    return f"{name}（{' · '.join(details)}）" if details else name


def supporter_postal_area(supporter: Supporter) -> str:
    """〒123-4567 東京都 世田谷区: enough to tell people apart, not the whole address."""
    parts = [f"〒{supporter.postal_code}" if supporter.postal_code else ""]
    parts += [supporter.prefecture, supporter.city]
    return " ".join(part for part in parts if part)


class SupporterSearchForm(BaseFilterForm):
    """The chooser's search box: the supporter list's search (plain ORM lookups)."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, kana, e-mail or phone"), "autocomplete": "off"}
        ),
        required=False,
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = supporters_search(objects, query)
        return objects


class _SupporterListing:
    """What both the modal and its results fragment list, and how."""

    filter_form_class = SupporterSearchForm

    def get_object_list(self):
        return Supporter.objects.exclude(
            status__in=[Supporter.Status.ANONYMISED, Supporter.Status.MERGED]
        )

    @property
    def columns(self):
        return [
            self.title_column,
            Column("kana", label=_("Kana"), accessor="display_name_kana"),
            Column("email", label=_("E-mail"), accessor="email"),
            Column("phone", label=_("Phone"), accessor="phone"),
            Column("area", label=_("Postal area"), accessor=supporter_postal_area),
            Column("number", label=_("Supporter no."), accessor="pk"),
        ]


class SupporterChooseView(_SupporterListing, ChooseView):
    pass


class SupporterChooseResultsView(_SupporterListing, ChooseResultsView):
    pass


class SupporterChosenView(ChosenView):
    def get_display_title(self, instance):
        return supporter_choice_label(instance)


class SupporterChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return supporter_choice_label(instance)


class SearchableSupporterChooserViewSet(ListPermissionChooserMixin, ChooserViewSet):
    """Every view needs the supporter list's permission (ouendan.core.admin_permissions)."""

    model = Supporter
    icon = "user"
    per_page = 20
    choose_view_class = SupporterChooseView
    choose_results_view_class = SupporterChooseResultsView
    chosen_view_class = SupporterChosenView
    base_widget_class = SupporterChooserWidget


class SupporterChooserViewSet(SearchableSupporterChooserViewSet):
    name = "supporter_chooser"
    choose_one_text = _("Choose a supporter")
    choose_another_text = _("Choose another supporter")
    edit_item_text = _("Edit this supporter")
    register_widget = False


supporter_chooser_viewset = SupporterChooserViewSet()

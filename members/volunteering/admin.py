"""Staff screens for volunteering (menu ボランティア). Member staff (`view_all_places`) see every
place; a place coordinator (group コーディネーター) sees only the shifts, sign-ups and hours of
the places they coordinate: lists are filtered and any other object is refused (403)."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from members.places.models import Place
from ouendan.core.admin_display import DisplayIndexMixin

from .models import (
    EmployerLink,
    HoursEntry,
    Role,
    Shift,
    ShiftSeries,
    Signup,
    Training,
    VolunteerTraining,
)
from .selectors import places_for


class VolunteeringIndexView(DisplayIndexMixin, generic.IndexView):
    """Labels for choices, local time, はい/いいえ (ouendan.core.display)."""


class PlaceScoped:
    """Views of a model with a place: the rows of the user's places only (coordinators)."""

    place_lookup = "place"

    def scope(self, queryset):
        return queryset.filter(**{f"{self.place_lookup}__in": places_for(self.request.user)})

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        # The history view lists log entries, not the model's rows: those follow get_object.
        return self.scope(queryset) if queryset.model is self.model else queryset

    def get_object(self, *args, **kwargs):
        found = super().get_object(*args, **kwargs)
        if not self.scope(type(found)._default_manager.filter(pk=found.pk)).exists():
            raise PermissionDenied
        return found

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if "place" in form.fields:
            form.fields["place"].queryset = places_for(self.request.user)
        if "shift" in form.fields:
            form.fields["shift"].queryset = Shift.objects.filter(
                place__in=places_for(self.request.user)
            )
        return form


def place_filterset(model, *, lookup: str, fields: list[str]):
    """A filter form whose place choices are the user's places only."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    place = django_filters.ModelChoiceFilter(
        field_name=lookup,
        label=_("place"),
        queryset=lambda request: places_for(request.user) if request else Place.objects.none(),
    )
    return type(f"{model.__name__}FilterSet", (WagtailFilterSet,), {"place": place, "Meta": meta})


VIEW_ATTRIBUTES = [
    "index_view_class",
    "add_view_class",
    "edit_view_class",
    "delete_view_class",
    "inspect_view_class",
    "history_view_class",
    "usage_view_class",
]


class PlaceScopedViewSet(ModelViewSet):
    place_lookup = "place"
    index_view_class = VolunteeringIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for attribute in VIEW_ATTRIBUTES:
            base = getattr(self, attribute)
            if not issubclass(base, PlaceScoped):
                scoped = type(
                    f"Scoped{base.__name__}",
                    (PlaceScoped, base),
                    {"place_lookup": self.place_lookup},
                )
                setattr(self, attribute, scoped)


class ShiftViewSet(PlaceScopedViewSet):
    model = Shift
    icon = "date"
    menu_order = 100
    list_display = ["__str__", "starts_at", "people_needed", "confirmed_count", "is_cancelled"]
    filterset_class = place_filterset(Shift, lookup="place", fields=["role", "is_cancelled"])
    search_fields = ["place__name"]
    form_fields = [
        "place",
        "role",
        "starts_at",
        "ends_at",
        "people_needed",
        "required_trainings",
        "required_skills",
        "signup_cutoff_hours",
        "is_cancelled",
    ]


class ShiftSeriesViewSet(PlaceScopedViewSet):
    model = ShiftSeries
    icon = "repeat"
    menu_order = 110
    list_display = ["__str__", "starts_on", "ends_on", "people_needed", "is_active"]
    filterset_class = place_filterset(ShiftSeries, lookup="place", fields=["is_active"])
    form_fields = [
        "place",
        "role",
        "rrule",
        "starts_on",
        "ends_on",
        "start_time",
        "end_time",
        "people_needed",
        "required_trainings",
        "required_skills",
        "signup_cutoff_hours",
        "skip_holidays",
        "is_active",
    ]


class SignupViewSet(PlaceScopedViewSet):
    model = Signup
    place_lookup = "shift__place"
    icon = "user"
    menu_order = 120
    list_display = ["volunteer", "shift", "status", "position", "created_at"]
    filterset_class = place_filterset(Signup, lookup="shift__place", fields=["status"])
    form_fields = ["status"]
    inspect_view_fields = ["volunteer", "shift", "status", "position", "created_at"]


class HoursEntryViewSet(PlaceScopedViewSet):
    model = HoursEntry
    icon = "time"
    menu_order = 130
    list_display = ["volunteer", "place", "served_on", "minutes", "source", "status", "employer"]
    filterset_class = place_filterset(HoursEntry, lookup="place", fields=["status", "source"])
    form_fields = ["served_on", "minutes", "status", "note"]


class RoleViewSet(ModelViewSet):
    model = Role
    index_view_class = VolunteeringIndexView
    icon = "tag"
    menu_order = 200
    copy_view_enabled = False
    list_display = ["name", "sort_order"]
    search_backend_name = None
    form_fields = ["name", "sort_order"]


class TrainingViewSet(ModelViewSet):
    model = Training
    index_view_class = VolunteeringIndexView
    icon = "doc-full"
    menu_order = 210
    copy_view_enabled = False
    list_display = ["name", "validity_months"]
    search_backend_name = None
    form_fields = ["name", "validity_months"]


class VolunteerTrainingViewSet(ModelViewSet):
    model = VolunteerTraining
    index_view_class = VolunteeringIndexView
    icon = "success"
    menu_order = 220
    copy_view_enabled = False
    list_display = ["volunteer", "training", "completed_on", "expires_on"]
    list_filter = ["training"]
    search_backend_name = None
    form_fields = ["volunteer", "training", "completed_on", "expires_on"]


class EmployerLinkViewSet(ModelViewSet):
    model = EmployerLink
    index_view_class = VolunteeringIndexView
    icon = "site"
    menu_order = 230
    copy_view_enabled = False
    list_display = ["volunteer", "employer"]
    search_backend_name = None
    form_fields = ["volunteer", "employer"]


class VolunteeringViewSetGroup(ModelViewSetGroup):
    menu_label = _("Volunteering")
    menu_icon = "group"
    menu_order = 260
    items = (
        ShiftViewSet("shift"),
        ShiftSeriesViewSet("shift_series"),
        SignupViewSet("signup"),
        HoursEntryViewSet("hours_entry"),
        RoleViewSet("volunteer_role"),
        TrainingViewSet("training"),
        VolunteerTrainingViewSet("volunteer_training"),
        EmployerLinkViewSet("employer_link"),
    )

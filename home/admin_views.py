"""Staff screens owned by the home app: the impact figures staff enter."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from .models import StaffImpactFigure


class StaffImpactFigureViewSet(ModelViewSet):
    model = StaffImpactFigure
    icon = "table"
    menu_label = _("Impact figures entered by staff")
    add_to_settings_menu = True
    copy_view_enabled = False
    form_fields = ["year", "households_supported", "note"]
    list_display = ["year", "households_supported", "note"]


staff_impact_figure_viewset = StaffImpactFigureViewSet("staff_impact_figures")

"""What volunteering mail in the outbox is for (registered in VolunteeringConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import Supporter
from ouendan.core.outbox_purposes import outbox_purpose_register


def _supporter(parts: list[str]):
    # <purpose>:<signup or supporter>:... ; the last part names the supporter
    supporter = Supporter.objects.filter(pk=int(parts[-1])).first()
    return (
        (str(supporter), reverse("supporter:inspect", args=[supporter.pk])) if supporter else None
    )


def register() -> None:
    outbox_purpose_register("shift-reminder", _("Shift reminder"), link=_supporter)
    outbox_purpose_register("shift-promoted", _("Shift: off the waitlist"), link=_supporter)
    # Milestone thanks are now campaigns' thank-you templates; older mail keeps its label.
    outbox_purpose_register("volunteer-milestone", _("Volunteer milestone thanks"), link=_supporter)

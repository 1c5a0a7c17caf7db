"""What members' mail in the outbox is for, with a link to the supporter or membership
(registered with ouendan.core.outbox_purposes in MembersConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ouendan.core.outbox_purposes import outbox_purpose_register

from .models import Membership, Supporter


def _supporter(parts: list[str]):
    supporter = Supporter.objects.filter(pk=int(parts[0])).first()
    return (
        (str(supporter), reverse("supporter:inspect", args=[supporter.pk])) if supporter else None
    )


def _membership(parts: list[str]):
    # renewal-reminder:<days>:<membership>:<renewal date>
    membership = Membership.objects.select_related("supporter", "plan").filter(pk=int(parts[1]))
    membership = membership.first()
    if membership is None:
        return None
    return str(membership), reverse("membership:inspect", args=[membership.pk])


def register() -> None:
    outbox_purpose_register("login_link", _("Login link"), link=_supporter)
    outbox_purpose_register("confirm_signup", _("Sign-up confirmation"), link=_supporter)
    outbox_purpose_register("already_registered", _("Already registered notice"), link=_supporter)
    outbox_purpose_register("renewal-reminder", _("Renewal reminder"), link=_membership)

"""The staff login account (the project's AUTH_USER_MODEL)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Staff login account. Supporters log in to the portal by e-mail link, not with a User;
    the custom model exists from the first migration so it can grow without a painful swap."""

    email = models.EmailField(_("email address"), blank=True, db_index=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

"""Permission pieces shared by the staff screens: view-only models, and least privilege for
Wagtail choosers (a chooser lists what its model's list screen lists, so it needs the same
permission; Wagtail's own chooser views check none)."""

import functools

from django.core.exceptions import PermissionDenied
from wagtail.admin.views.generic.chooser import CreateView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import SnippetChooserViewSet

LIST_ACTIONS = ["add", "change", "delete", "view"]


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff may look; only the system writes (the outbox, issued receipts, the ledger)."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class ListPermissionChooserMixin:
    """For a ChooserViewSet (or SnippetChooserViewSet): every view of the chooser (choose,
    results, chosen, chosen-multiple) needs one of the model's list-screen permissions, and the
    "create" tab needs "add". Checked against the model's registered permission policy, so a
    view-only or never-delete policy applies here too."""

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)
        actions = ["add"] if issubclass(view_class, CreateView) else LIST_ACTIONS
        model = self.model

        @functools.wraps(view)
        def checked_view(request, *args, **view_kwargs):
            policy = policy_registry.get_by_type(model)
            if not policy.user_has_any_permission(request.user, actions):
                raise PermissionDenied
            return view(request, *args, **view_kwargs)

        return checked_view


class ListPermissionSnippetChooserViewSet(ListPermissionChooserMixin, SnippetChooserViewSet):
    """A snippet's chooser that needs its list screen's permission (set it as the snippet
    viewset's `chooser_viewset_class`)."""

"""Cheaper Wagtail page serving for index pages and the pages under them.

Wagtail's Page.route finds a child in two queries (the base page by slug, then `.specific`). An
index page that allows one child type can ask that type's table directly: one query, which can
also bring the child's foreign keys its template shows (select_related). Anything else (a child
of another type, an unknown slug, a deeper path) goes through Wagtail's own route, unchanged.

Which view restrictions apply to a page depends only on the page tree, so their ids are kept in
the tree cache (ouendan.core.tree_cache: dropped whenever a page, site, locale or restriction
changes); a page without any, the usual case, then costs no restriction query at all.
"""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import PageViewRestriction

from .tree_cache import tree_cached


class OneTypeChildRouteMixin:
    """For a Page whose subpage_types name one page type: route to a child in one query.

    `child_select_related` names the child's foreign keys to fetch with it."""

    child_select_related: tuple[str, ...] = ()

    def route(self, request, path_components):
        models = self.clean_subpage_models()
        if path_components and len(models) == 1:
            model = models[0]
            try:
                subpage = (
                    model.objects.child_of(self)
                    .select_related(*self.child_select_related)
                    .get(slug=path_components[0])
                )
            except model.DoesNotExist:
                subpage = None
            # A subclass of the type (or none found) takes Wagtail's way, as before.
            if subpage is not None and subpage.content_type_id == (
                ContentType.objects.get_for_model(model).pk
            ):
                # As Wagtail's route does: templates asking for the parent cost no query.
                subpage._cached_parent_obj = self
                return subpage.route(request, path_components[1:])
        return super().route(request, path_components)


class TreeCachedViewRestrictionsMixin:
    """Page.get_view_restrictions, with the ids of the restrictions that apply kept in the tree
    cache: no query for an unrestricted page, one (the restrictions by id) for a restricted one,
    whose check (password, login, groups) then runs exactly as Wagtail's."""

    def get_view_restrictions(self):
        if not self.pk:  # an unsaved page (a preview of a new page) has no cached entry
            return super().get_view_restrictions()
        wagtails = super().get_view_restrictions
        ids = tree_cached(
            f"restrictions:{self.pk}", lambda: list(wagtails().values_list("pk", flat=True))
        )
        if not ids:
            return PageViewRestriction.objects.none()
        return PageViewRestriction.objects.filter(pk__in=ids)

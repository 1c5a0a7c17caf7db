"""Cheaper Wagtail page serving for index pages and the pages under them.

Wagtail's Page.route finds a child in two queries (the base page by slug, then `.specific`); a
page with OneQueryChildRouteMixin asks the child's own table directly: one query, which can also
bring the child's foreign keys its template shows (select_related). Whatever that query does not
find (a child of an unexpected type, a stale hint) goes through Wagtail's own route, unchanged.

Which view restrictions apply to a page depends only on the page tree, so their ids are kept in
the tree cache (ouendan.core.tree_cache: dropped whenever a page, site, locale or restriction
changes); a page without any, the usual case, then costs no restriction query at all. So is the
Site row a page request belongs to (site_for_page_request, used by ouendan.middleware's
PageSiteMiddleware); page objects themselves are never kept, only ids and the Site row.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

from .tree_cache import tree_cached


class OneQueryChildRouteMixin:
    """Route to a child page in one query instead of Wagtail's two.

    A page whose subpage_types name one type asks that type's table by slug (`child_select_related`
    names the child's foreign keys to fetch with it). Any other page keeps, in the tree cache, which
    child (id and type) has that slug, and asks that type's table for that id as its child with
    that slug: a stale entry finds nothing and Wagtail's route answers, so a cached hint can never
    serve a page Wagtail would not have."""

    child_select_related: tuple[str, ...] = ()

    def route(self, request, path_components):
        if path_components:
            subpage = self._child_for_slug(path_components[0])
            if subpage is not None:
                # As Wagtail's route does: templates asking for the parent cost no query.
                subpage._cached_parent_obj = self
                return subpage.route(request, path_components[1:])
        return super().route(request, path_components)

    def _child_for_slug(self, slug: str):
        """The child with this slug in its specific type, or None to let Wagtail route."""
        models = self.clean_subpage_models()
        if len(models) == 1:
            model, lookup = models[0], {"slug": slug}
            related = self.child_select_related
        else:
            hint = tree_cached(f"child:{self.pk}:{slug}", lambda: self._child_hint(slug))
            if hint is None:
                raise Http404  # no child has this slug: what Wagtail's route answers
            model = ContentType.objects.get_for_id(hint[1]).model_class()
            if model is None:  # a page type no longer in the code
                return None
            lookup, related = {"pk": hint[0], "slug": slug}, ()
        try:
            subpage = model.objects.child_of(self).select_related(*related).get(**lookup)
        except model.DoesNotExist:
            return None
        # A subclass of the type takes Wagtail's way, which finds its most specific form.
        if subpage.content_type_id != ContentType.objects.get_for_model(model).pk:
            return None
        return subpage

    def _child_hint(self, slug: str) -> tuple[int, int] | None:
        # Misses are not kept (tree_cached keeps no None): unknown slugs cannot fill the cache.
        return self.get_children().filter(slug=slug).values_list("pk", "content_type_id").first()


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


def site_for_page_request(request) -> Site | None:
    """What Site.find_for_request answers, for serving a page: the Site row kept in the tree cache
    (no page in it: dropped whenever a site or page changes), and its root page read in its own
    type, one query where Wagtail's routing made two (the site with its root, then `.specific`)."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    entry = tree_cached(f"site:{hostname}:{port}", lambda: _site_entry(hostname, port))
    if entry is None:  # no site at all: Wagtail's answer (None), found again each time
        return Site.find_for_request(request)
    site, root_type_id = entry
    model = ContentType.objects.get_for_id(root_type_id).model_class()
    if model is None:  # a page type no longer in the code
        return Site.find_for_request(request)
    try:
        root = model.objects.get(pk=site.root_page_id)
    except model.DoesNotExist:  # a stale entry (the root page deleted)
        return Site.find_for_request(request)
    # Site.root_page stays a plain Page, as Wagtail's lookup gives it (equality, `.localized`
    # compare it as one), already holding its specific form: `.specific` costs nothing.
    fields = Page._meta.concrete_fields
    base = Page.from_db(
        root._state.db, [f.attname for f in fields], [getattr(root, f.attname) for f in fields]
    )
    base.__dict__["specific"] = root
    site.root_page = base
    return site


def _site_entry(hostname: str, port: int) -> tuple[Site, int] | None:
    try:
        site = get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None
    root_type_id = site.root_page.content_type_id
    site._state.fields_cache.pop("root_page", None)  # no page objects in the shared cache
    return site, root_type_id

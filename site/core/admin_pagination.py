"""A paginator for long staff lists: a page's ids first, then its rows.

The database picks the 50 ids of a page with the list's filters, search and order from an index
alone (e.g. members' supporter_list_filter_idx, index-only), then reads those 50 rows whole by
primary key. Read in one query, every row the filters pass over on the way to the page would be
fetched from the table (75,000 of 100,000 for a search whose matches sort last). One more query
a page, whatever its size.
"""

from wagtail.admin.paginator import WagtailPaginator


class IdsFirstPaginator(WagtailPaginator):
    def _get_page(self, object_list, number, paginator):
        # object_list is the page's slice of the ordered queryset (Paginator.page).
        ids = list(object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return super()._get_page([rows[pk] for pk in ids if pk in rows], number, paginator)

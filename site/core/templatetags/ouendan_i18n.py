from django import template

from ouendan.core.translated import translated as _translated

register = template.Library()


@register.filter
def translated(obj, field: str) -> str:
    """`{{ plan|translated:"name" }}`: the English `name_en` on English pages, else `name`."""
    return _translated(obj, field)

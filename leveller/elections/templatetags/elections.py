from django import template

from leveller.elections.ballots import ordinal as _ordinal

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def ordinal(value):
    try:
        return _ordinal(int(value))
    except (TypeError, ValueError):
        return value

from django import template

from leveller.elections.ballots import ordinal as _ordinal
from leveller.elections.labels import tag_label as _tag_label

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


@register.filter
def tag_label(key):
    """A candidate category for people: "bame" -> "Black, Asian or minority ethnic"."""
    return _tag_label(str(key))


@register.filter
def tag_labels(keys):
    return ", ".join(_tag_label(str(k)) for k in keys or [])

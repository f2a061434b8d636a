from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ results|get_item:entry.indicator.pk }}: a dict lookup with a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def plain_number(value) -> str:
    """A stored Decimal as an officer would type it back: no trailing zeros, no exponent."""
    if value is None:
        return ""
    if hasattr(value, "normalize"):
        return format(value.normalize(), "f")
    return str(value)

"""Template filters for BE dates and Thai digits; registered as builtins in settings, so no {% load %} is needed."""

from django import template

from localstandards.core import thaidate

register = template.Library()


@register.filter
def bedate(value, style: str = "long") -> str:
    """{{ some_date|bedate }} → 4 มิถุนายน 2567; {{ some_date|bedate:"short" }} → 4 มิ.ย. 2567."""
    return thaidate.format_date(value, style)


@register.filter
def bedatetime(value, style: str = "short") -> str:
    return thaidate.format_datetime(value, style)


@register.filter
def num(value, decimals=None) -> str:
    """{{ 7849|num }} → 7,849 (๗,๘๔๙ with Thai digits); {{ x|num:2 }} fixes two decimals."""
    return thaidate.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def digits(value) -> str:
    """Turn the digits of any text into Thai digits when the visitor prefers them."""
    return thaidate.thai_digits(value)

"""{% icon "check-circle" %}: a Bootstrap Icons SVG inlined in the page, instead of the 134 KB icon font.

The pages use about forty icons; the font carried two thousand. Each icon is read once per process from the npm
package (node_modules/bootstrap-icons/icons/<name>.svg, installed by `make assets`, as the PDF fonts are) and
written into the HTML, where gzip makes the repeats almost free. Registered as a builtin in settings (no {% load %}).

Icons are decoration: the SVG is aria-hidden and the text next to it says what it means. Where an icon stands
alone, put the meaning in a visually-hidden span beside it.

    {% icon "upload" %} {% translate "Attach" %}
    {% icon "check-circle-fill" class="text-success" %}<span class="visually-hidden">…</span>

The name must be a quoted literal: an unknown icon then fails when the template is compiled (and in the tests
that render it, see tests/core/test_icons.py), not in front of a user.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICON_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CSS_CLASSES = re.compile(r"[A-Za-z0-9 _-]*")
_SVG = re.compile(r"<svg\b[^>]*\bviewBox=\"(?P<viewbox>[^\"]+)\"[^>]*>(?P<body>.*)</svg>", re.DOTALL)


class UnknownIcon(LookupError):
    pass


def icons_dir() -> Path:
    return Path(settings.NODE_MODULES) / "bootstrap-icons" / "icons"


@cache
def icon_parts(name: str) -> tuple[str, SafeString]:
    """(viewBox, the SVG's inner markup) of a Bootstrap icon. The file is the npm package's, so it is trusted."""
    if not ICON_NAME.fullmatch(name):
        raise UnknownIcon(f"not an icon name: {name!r}")
    path = icons_dir() / f"{name}.svg"
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownIcon(f"no icon {name!r} in {icons_dir()} (run `make assets`?)") from None
    match = _SVG.search(source)
    if match is None:
        raise UnknownIcon(f"{path} is not an SVG icon")
    body = "".join(line.strip() for line in match["body"].splitlines())
    return match["viewbox"], mark_safe(body)  # noqa: S308  (the package's own file, not user input)


def render_icon(name: str, css_class: str = "") -> SafeString:
    viewbox, body = icon_parts(name)
    classes = f"bi {css_class}".strip()
    # Width and height in the markup: the icon keeps its text size even before the stylesheet arrives.
    return format_html(
        '<svg class="{}" width="1em" height="1em" fill="currentColor" viewBox="{}" aria-hidden="true">{}</svg>',
        classes,
        viewbox,
        body,
    )


class IconNode(template.Node):
    def __init__(self, markup: SafeString) -> None:
        self.markup = markup

    def render(self, context) -> SafeString:
        return self.markup


@register.tag
def icon(parser, token) -> IconNode:
    """{% icon "name" %} or {% icon "name" class="text-success" %}; both arguments are quoted literals."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError('usage: {% icon "name" %} or {% icon "name" class="…" %}')
    name = _literal(bits[1])
    css_class = ""
    if len(bits) == 3:
        key, _, value = bits[2].partition("=")
        css_class = _literal(value)
        if key != "class" or not CSS_CLASSES.fullmatch(css_class):
            raise template.TemplateSyntaxError(f'{{% icon %}}: expected class="…", got {bits[2]}')
    try:
        # Rendered once, when the template is compiled: the icon costs nothing per page.
        return IconNode(render_icon(name, css_class))
    except UnknownIcon as error:
        raise template.TemplateSyntaxError(f"{{% icon %}}: {error}") from error


def _literal(bit: str) -> str:
    if len(bit) >= 2 and bit[0] == bit[-1] and bit[0] in "\"'":
        return bit[1:-1]
    raise template.TemplateSyntaxError(f"{{% icon %}} takes quoted literals, got {bit}")

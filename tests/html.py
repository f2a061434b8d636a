"""Reading a page as a tree instead of slicing its HTML text (Django's own test HTML parser)."""

from __future__ import annotations

from django.test.html import Element, parse_html


def _walk(node):
    if isinstance(node, Element):
        yield node
        for child in node.children:
            yield from _walk(child)


def find_all(content: bytes | str, *, id: str | None = None, css_class: str | None = None) -> list[Element]:
    """Every element with this id, or with this class among its classes."""
    html = content.decode() if isinstance(content, bytes) else content
    found = []
    for element in _walk(parse_html(html)):
        attributes = dict(element.attributes)
        if (id is not None and attributes.get("id") == id) or (
            css_class is not None and css_class in (attributes.get("class") or "").split()
        ):
            found.append(element)
    return found


def find(content: bytes | str, *, id: str | None = None, css_class: str | None = None) -> Element:
    """The first element with this id, or with this class among its classes; AssertionError when none."""
    found = find_all(content, id=id, css_class=css_class)
    if not found:
        raise AssertionError(f"no element with id={id!r} class={css_class!r}")
    return found[0]


def text(element: Element) -> str:
    """The element's text, tags removed and white space folded."""
    parts = [text(node) if isinstance(node, Element) else str(node) for node in element.children]
    return " ".join(" ".join(parts).split())

"""The text of each page of a laid-out PDF (a weasyprint Document), read from its boxes: no PDF parser needed."""

from __future__ import annotations


def _texts(box) -> list[str]:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        return [text]
    children = getattr(box, "children", None) or []
    return [part for child in children for part in _texts(child)]


def page_texts(document) -> list[str]:
    """One string per page, words joined by single spaces (margin boxes, e.g. the page number, included)."""
    pages = []
    for page in document.pages:
        box = page._page_box  # weasyprint keeps the box tree on each page; there is no public accessor
        parts = _texts(box)
        for margin in getattr(box, "margin_boxes", []) or []:
            parts.extend(_texts(margin))
        pages.append(" ".join(" ".join(parts).split()))
    return pages


def _rows(box, table_class: str, inside: bool = False, group: str = ""):
    """(row group tag, row element class) of each table row laid out under `box` in the table with this class."""
    tag = getattr(box, "element_tag", "")
    element = getattr(box, "element", None)
    kind = type(box).__name__
    if kind == "TableBox" and element is not None and table_class in (element.get("class") or "").split():
        inside = True
    if kind == "TableRowGroupBox":
        group = tag
    if inside and kind == "TableRowBox":
        yield group, element.get("class") or ""
        return
    for child in getattr(box, "children", None) or []:
        yield from _rows(child, table_class, inside, group)


def row_classes(document, table_class: str) -> list[list[str]]:
    """Per page, the class of each row of the table with this class laid out on it ("" for a plain row);
    a header row (repeated on each page) is "thead"."""
    return [
        ["thead" if group == "thead" else css for group, css in _rows(page._page_box, table_class)]
        for page in document.pages
    ]

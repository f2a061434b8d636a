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

"""Thai PDFs: a template laid out by WeasyPrint with the Sarabun faces (results PDF, committee report, letters)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def font_faces() -> list[dict]:
    """Sarabun from the npm package, by file:// URL (WeasyPrint reads .woff).

    Each subset gets its own family name ("Sarabun Latin", "Sarabun Thai"): the files share one internal name,
    and one family split by unicode-range made WeasyPrint draw Thai with the Latin file's glyphs.
    """
    files = settings.NODE_MODULES / "@fontsource" / "sarabun" / "files"
    return [
        {
            "family": f"Sarabun {subset.title()}",
            "url": (files / f"sarabun-{subset}-{weight}-normal.woff").as_uri(),
            "weight": weight,
        }
        for subset in ("latin", "thai")
        for weight in (400, 700)
    ]


def thai_pdf_document(template: str, context: dict):
    """A template laid out as PDF pages (a weasyprint Document) in Thai, with the Sarabun faces as `fonts`: the one
    way the results PDF, the committee report and the letters are made."""
    from weasyprint import HTML

    with translation.override("th"):
        html = render_to_string(template, {**context, "fonts": font_faces()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()

"""Reading Thai text back from a PDF: pdfium returns Sarabun's shaped glyphs slightly out of order (a tone mark
after the next letter, า as ำ, ำ as "sา" or "tา"), so text is compared without spaces, marks above or below, and with ำ
as า — on both sides."""

from __future__ import annotations

import re

import pypdfium2

_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u00a0]")
_STRAY = re.compile("[a-z](?=[\u0e32\u0e33])")  # the "s" or "t" pdfium puts before the า of a ำ


def loose(text: str) -> str:
    text = _STRAY.sub("", "".join(text.split())).replace("ำ", "า")
    return _MARKS.sub("", text)


def page_texts(pdf: bytes) -> list[str]:
    return [loose(page.get_textpage().get_text_range()) for page in pypdfium2.PdfDocument(pdf)]

"""Buddhist-era dates and optional Thai digits, in Thai or English.

Thai:    long "4 มิถุนายน 2567", short "4 มิ.ย. 2567"; with Thai digits "๔ มิถุนายน ๒๕๖๗".
English: long "4 June B.E. 2567", short "4 Jun B.E. 2567".
The per-request digit preference is a context variable set by the locale middleware, so template filters,
PDFs and e-mails rendered in that request agree without passing the request around.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone, translation

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_THAI_DIGIT_TABLE = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

_thai_digits_preference: contextvars.ContextVar[bool | None] = contextvars.ContextVar("thai_digits", default=None)


def set_thai_digits_preference(value: bool | None) -> contextvars.Token:
    return _thai_digits_preference.set(value)


def reset_thai_digits_preference(token: contextvars.Token) -> None:
    _thai_digits_preference.reset(token)


def use_thai_digits() -> bool:
    """Thai digits only make sense in the Thai UI; the visitor's choice wins over the site default."""
    if not (translation.get_language() or "th").startswith("th"):
        return False
    chosen = _thai_digits_preference.get()
    return settings.THAI_DIGITS_DEFAULT if chosen is None else chosen


def thai_digits(text: object, force: bool | None = None) -> str:
    text = "" if text is None else str(text)
    wanted = use_thai_digits() if force is None else force
    return text.translate(_THAI_DIGIT_TABLE) if wanted else text


def be_year(value: dt.date | int) -> int:
    return (value if isinstance(value, int) else value.year) + BE_OFFSET


def _as_local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date(value: dt.date | dt.datetime | None, style: str = "long", digits: bool | None = None) -> str:
    if value is None or value == "":
        return ""
    day = _as_local_date(value)
    year = be_year(day)
    if (translation.get_language() or "th").startswith("th"):
        months = THAI_MONTHS_SHORT if style == "short" else THAI_MONTHS
        text = f"{day.day} {months[day.month - 1]} {year}"
    else:
        month = ENGLISH_MONTHS[day.month - 1]
        text = f"{day.day} {month[:3] if style == 'short' else month} B.E. {year}"
    return thai_digits(text, digits)


def format_datetime(value: dt.datetime | None, style: str = "short", digits: bool | None = None) -> str:
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    time_text = f"{local:%H:%M}"
    if (translation.get_language() or "th").startswith("th"):
        time_text += " น."
    return f"{format_date(local, style, digits)} {thai_digits(time_text, digits)}"


def format_number(value: int | float | Decimal | None, decimals: int | None = None, digits: bool | None = None) -> str:
    """Thousands separators, a fixed number of decimals when asked, Thai digits when preferred."""
    if value is None or value == "":
        return ""
    if decimals is None:
        text = f"{value:,}" if isinstance(value, int) else f"{Decimal(str(value)).normalize():,f}"
    else:
        # Half-up, as printed tables and docs/scoring.md round (Python's format would round half-to-even).
        rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{rounded:,.{decimals}f}"
    return thai_digits(text, digits)

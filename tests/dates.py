"""Dates as the forms take them: day, month and Buddhist-era year (localstandards.core.forms.BuddhistDateField)."""

import datetime as dt


def be_date_fields(name: str, day: dt.date) -> dict[str, str]:
    """The three posted fields of a Buddhist-era date input named `name`."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year + 543)}

"""Buddhist-era dates, Thai digits and numbers as every page shows them."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from localstandards.core import thaidate


@pytest.fixture
def thai():
    with translation.override("th"):
        yield


@pytest.fixture
def thai_digits():
    token = thaidate.set_thai_digits_preference(True)
    yield
    thaidate.reset_thai_digits_preference(token)


def test_long_and_short_thai_dates_use_the_buddhist_era(thai):
    assert thaidate.format_date(dt.date(2024, 6, 4)) == "4 มิถุนายน 2567"
    assert thaidate.format_date(dt.date(2024, 6, 4), "short") == "4 มิ.ย. 2567"
    assert thaidate.format_date(dt.date(2023, 10, 1), "short") == "1 ต.ค. 2566"


def test_thai_digits_when_the_visitor_asks_for_them(thai, thai_digits):
    assert thaidate.format_date(dt.date(2024, 6, 4)) == "๔ มิถุนายน ๒๕๖๗"
    assert thaidate.format_number(7849) == "๗,๘๔๙"


def test_english_dates_keep_the_buddhist_era_and_never_thai_digits(thai_digits):
    with translation.override("en"):
        assert thaidate.format_date(dt.date(2024, 7, 31)) == "31 July B.E. 2567"
        assert thaidate.format_date(dt.date(2024, 7, 31), "short") == "31 Jul B.E. 2567"
        assert thaidate.format_number(7849) == "7,849"


def test_an_aware_datetime_is_shown_in_bangkok_time(thai):
    late_evening_utc = dt.datetime(2024, 7, 31, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert thaidate.format_datetime(late_evening_utc) == "1 ส.ค. 2567 00:30 น."


def test_numbers_get_separators_and_fixed_decimals(thai):
    assert thaidate.format_number(1234567) == "1,234,567"
    assert thaidate.format_number(Decimal("52.00384"), 2) == "52.00"
    assert thaidate.format_number(Decimal("2.675"), 2) == "2.68"  # half-up, not half-to-even
    assert thaidate.format_number(Decimal("0.125"), 2) == "0.13"
    assert thaidate.format_number(Decimal("12.500")) == "12.5"
    assert thaidate.format_number(None) == ""


def test_template_filters_are_available_without_load(thai, thai_digits):
    rendered = Template('{{ d|bedate }} · {{ d|bedate:"short" }} · {{ n|num }} · {{ code|digits }}').render(
        Context({"d": dt.date(2024, 6, 4), "n": 1500, "code": "6670207"})
    )
    assert rendered == "๔ มิถุนายน ๒๕๖๗ · ๔ มิ.ย. ๒๕๖๗ · ๑,๕๐๐ · ๖๖๗๐๒๐๗"


def test_the_site_default_applies_when_the_visitor_has_not_chosen(thai, settings):
    settings.THAI_DIGITS_DEFAULT = True
    assert thaidate.format_date(dt.date(2024, 6, 4), "short") == "๔ มิ.ย. ๒๕๖๗"
    settings.THAI_DIGITS_DEFAULT = False
    assert thaidate.format_date(dt.date(2024, 6, 4), "short") == "4 มิ.ย. 2567"

"""What the API reads and writes, declared once (pydantic schemas through django-ninja)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    """RFC 9457 problem details: `title` and `detail` in Thai, or in English with `Accept-Language: en`."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: Any = None


class ProvinceOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    region: str


class DistrictOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    province_code: str


class LocalGovernmentOut(Schema):
    id: int
    dla_code: str | None
    name_th: str
    full_name_th: str
    type: str
    province_code: str
    district_code: str | None
    is_active: bool


class FrameworkOut(Schema):
    id: int
    code: str
    version: int
    fiscal_year: int | None
    name: str
    status: str
    published_at: dt.datetime | None


class FrameworkDetail(FrameworkOut):
    structure: dict[str, Any] = Field(description="The framework in the workbook's structure, one key per sheet.")


class RoundOut(Schema):
    id: int
    fiscal_year: int
    name: str
    framework_id: int
    opens_on: dt.date
    closes_on: dt.date
    review_deadline: dt.date


class ReturnOut(Schema):
    id: int
    round_id: int
    local_government_id: int
    dla_code: str | None
    name: str
    province_code: str
    district_code: str | None
    type: str
    framework_id: int
    status: str
    version: int
    submitted_at: dt.datetime | None
    first_submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    last_activity_at: dt.datetime | None
    last_day: dt.date | None = None


class AnswerOut(Schema):
    indicator_id: int
    indicator_code: str
    base: Decimal | None
    delivered: Decimal | None
    count: int | None
    answer: bool | None
    note: str
    version: int
    updated_at: dt.datetime | None


class SatisfactionOut(Schema):
    question_id: int
    question_code: str
    satisfied: int | None
    needs_improvement: int | None
    version: int
    updated_at: dt.datetime | None


class ReturnDetail(ReturnOut):
    answers: list[AnswerOut]
    satisfaction: list[SatisfactionOut]


class Counts(Schema):
    indicators: int
    scored: int
    applicable: int
    met: int
    above: int
    meets: int
    develop: int
    no_service: int
    not_done: int
    compliance: Decimal | None
    satisfied: int
    needs_improvement: int
    satisfaction: Decimal | None


class AreaResult(Counts):
    area_id: int
    area_code: str
    area_name: str
    weight: Decimal
    weighted_compliance: Decimal | None


class IndicatorResult(Schema):
    indicator_id: int
    indicator_code: str
    area_code: str
    label: str
    applicable: bool
    met: bool
    target: Decimal | None


class ResultsOut(Counts):
    return_id: int
    status: str
    final: bool = Field(description="Accepted: the results are final, otherwise provisional.")
    stored: bool = Field(description="Read from the stored results (else computed now from the answers).")
    indicator_score: Decimal | None
    satisfaction_score: Decimal | None
    score: Decimal | None
    passed: bool | None
    areas: list[AreaResult]
    indicators: list[IndicatorResult]


class ProgressRowOut(Schema):
    key: str
    label: str
    expected: int
    submitted: int
    on_time: int
    reporting_rate: Decimal | None
    on_time_rate: Decimal | None
    states: dict[str, int]


class ProgressOut(Schema):
    round_id: int
    level: str
    code: str | None
    days_left: int
    total: ProgressRowOut
    rows: list[ProgressRowOut]


class AwardOut(Schema):
    return_id: int
    local_government_id: int
    dla_code: str
    name: str
    province: str
    district: str
    type: str
    score: Decimal | None
    rank_in_type: int | None
    framework_id: int


# A number as typed (text: Thai digits, commas) or as a JSON integer; the service parses and checks it.
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL, and the pages refuse it too
NumberText = Annotated[str, Field(max_length=40, pattern=NO_NUL)] | int | None


class AnswerIn(Schema):
    """The indicator's inputs as an officer types them (Thai or Arabic digits, commas allowed); blank clears."""

    version: int = Field(ge=0, le=2_000_000_000, description="The version you read (0 for a first answer).")
    base: NumberText = None
    delivered: NumberText = None
    count: NumberText = None
    answer: Literal["yes", "no", ""] | None = None
    note: str = Field(default="", max_length=2000, pattern=NO_NUL)


class SatisfactionIn(Schema):
    version: int = Field(ge=0, le=2_000_000_000)
    satisfied: NumberText = None
    needs_improvement: NumberText = None


class SavedAnswer(AnswerOut):
    warnings: list[str]


class TokenInfo(Schema):
    """Who is calling: a person (session) or a token, and what it may see."""

    kind: Literal["session", "token"]
    username: str
    token_name: str | None
    scope: str
    can_write: bool
    expires_at: dt.datetime | None

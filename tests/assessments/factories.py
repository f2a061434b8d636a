"""Assessment factories: a small published framework, rounds opened through the service, filled returns, files.

The framework has one area "1" with one mission "1.1" holding:
  1.1.1 ratio  (target 80 %, evidence required, any configured file type),
  1.1.2 count  (target 2),
  1.1.3 yes/no,
and one satisfaction question S1 in area 1. Everything applies to every type of local government.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from localstandards.assessments import services
from localstandards.frameworks.models import Indicator, SatisfactionQuestion
from localstandards.frameworks.samples.build_sample import sample_spec
from localstandards.frameworks.services import create_from_spec, publish_framework

ALL_TYPES = ["PAO", "CITY", "TOWN", "SUBDISTRICT", "SAO", "SPECIAL", "BMA"]
RATIO, COUNT, YESNO, QUESTION = "1.1.1", "1.1.2", "1.1.3", "S1"


def _indicator(code: str, kind: str, **fields) -> dict:
    item = {
        "mission": "1.1",
        "code": code,
        "wording": f"ตัวชี้วัด {code} ของ{{lg}}",
        "guidance": "",
        "kind": kind,
        "base_unit": "",
        "delivered_unit": "",
        "count_unit": "",
        "applies_to": list(ALL_TYPES),
        "applicability": "",
        "target": None,
        "targets": {},
        "evidence_required": False,
        "evidence_types": [],
        "weight": None,
    }
    item.update(fields)
    return item


def assessment_spec(code: str = "A-2567") -> dict:
    return {
        "framework": {
            "code": code,
            "fiscal_year": 2567,
            "name": "กรอบทดสอบการประเมิน",
            "description": "",
            "is_sample": False,
            "yes_text": "มี",
            "no_text": "ไม่มี",
        },
        "areas": [{"code": "1", "name": "ด้านโครงสร้างพื้นฐาน", "weight": "1"}],
        "missions": [{"area": "1", "code": "1.1", "name": "ถนน"}],
        "indicators": [
            _indicator(
                RATIO,
                "ratio",
                wording="ร้อยละของถนนของ{lg}ที่ได้รับการบำรุงรักษา",
                base_unit="สายทาง",
                delivered_unit="สายทาง",
                target="80",
                evidence_required=True,
            ),
            _indicator(COUNT, "count", count_unit="โครงการ", target="2"),
            _indicator(YESNO, "yesno", wording="{lg}มีแผนบำรุงรักษาถนน"),
        ],
        "validations": [],
        "satisfaction": [{"area": "1", "code": QUESTION, "wording": "ความพึงพอใจต่อถนนของ{lg}"}],
        "scoring": {
            "satisfaction_share": "0.2",
            "pass_threshold": "60",
            "satisfaction_pass_threshold": None,
            "score_formula": "",
        },
        "labels": copy.deepcopy(sample_spec()["labels"]),
    }


def make_published_framework(code: str = "A-2567"):
    return publish_framework(create_from_spec(assessment_spec(code)))


def open_test_round(
    framework,
    *,
    opens_in: int = -10,
    closes_in: int = 10,
    review_in: int = 20,
    name: str = "รอบทดสอบ",
    user=None,
    **options,
):
    """A round through services.open_round, its dates relative to today in Bangkok (negative = in the past)."""
    today = timezone.localdate()
    return services.open_round(
        framework=framework,
        name=name,
        fiscal_year=2567,
        opens_on=today + dt.timedelta(days=opens_in),
        closes_on=today + dt.timedelta(days=closes_in),
        review_deadline=today + dt.timedelta(days=review_in),
        user=user,
        **options,
    )


def indicator(framework, code: str) -> Indicator:
    return Indicator.objects.get(framework=framework, code=code)


def question(framework, code: str = QUESTION) -> SatisfactionQuestion:
    return SatisfactionQuestion.objects.get(framework=framework, code=code)


# ---------------------------------------------------------------- files


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "หลักฐาน"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>หลักฐาน</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_upload(name: str = "แผนงาน.pdf") -> SimpleUploadedFile:
    return upload(name, pdf_bytes(), "application/pdf")


# ---------------------------------------------------------------- filling and moving a return


def answer(assessment, code: str, user, version: int | None = None, now=None, **raw):
    """Save one indicator with the current version unless one is given."""
    target = indicator(assessment.framework, code)
    if version is None:
        existing = assessment.answers.filter(indicator=target).first()
        version = existing.version if existing else 0
    return services.save_answer(assessment, target, user, {k: str(v) for k, v in raw.items()}, version, now=now)


def satisfy(assessment, user, satisfied=40, needs_improvement=10, now=None):
    target = question(assessment.framework)
    existing = assessment.satisfaction_answers.filter(question=target).first()
    return services.save_satisfaction(
        assessment,
        target,
        user,
        {"satisfied": str(satisfied), "needs_improvement": str(needs_improvement)},
        existing.version if existing else 0,
        now=now,
    )


def fill_return(assessment, user, *, base=10, delivered=8, count=3, yesno="yes", evidence=True):
    """Every required answer, the satisfaction counts and (by default) the ratio's evidence."""
    answer(assessment, RATIO, user, base=base, delivered=delivered)
    answer(assessment, COUNT, user, count=count)
    answer(assessment, YESNO, user, answer=yesno)
    satisfy(assessment, user)
    if evidence:
        services.attach_evidence(assessment, indicator(assessment.framework, RATIO), user, pdf_upload())
    return assessment


def certify(assessment, head, *, name="นายสมชาย ใจดี", position="นายกเทศมนตรี", confirmed=True, now=None):
    return services.submit(
        assessment, head, certifier_name=name, certifier_position=position, confirmed=confirmed, now=now
    )


def fresh(assessment):
    """The return as stored now (status, version, relations), without cached prefetches."""
    return (
        type(assessment)
        .objects.unscoped()
        .select_related("round", "local_government", "framework")
        .get(pk=assessment.pk)
    )

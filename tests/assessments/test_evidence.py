"""Evidence files: real content types, size limits, safe names, scoped download and audited removal."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from localstandards.assessments import services
from localstandards.assessments.models import Evidence
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO
from tests.html import find, text

pytestmark = pytest.mark.django_db

ALLOWED = "PDF, JPG, PNG, XLSX, DOCX"
STORED_NAME = re.compile(r"^evidence/(\d+)/(\d+)/([0-9a-f]{32})\.(pdf|jpg|png|xlsx|docx)$")


class RawUpload:
    """An uploaded file whose name is passed through untouched (as a management command or API could)."""

    def __init__(self, name: str, data: bytes):
        self.name, self._data, self.size = name, data, len(data)

    def read(self) -> bytes:
        return self._data


def _attach(assessment, user, name, data, code=RATIO):
    return services.attach_evidence(
        assessment, factories.indicator(assessment.framework, code), user, factories.upload(name, data)
    )


@pytest.mark.parametrize(
    ("name", "build", "extension", "content_type"),
    [
        ("แผนงาน.pdf", factories.pdf_bytes, "pdf", "application/pdf"),
        ("ภาพถนน.PNG", factories.png_bytes, "png", "image/png"),
        ("ภาพ.jpeg", factories.jpeg_bytes, "jpg", "image/jpeg"),
        (
            "ตาราง.xlsx",
            factories.xlsx_bytes,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "บันทึก.docx",
            factories.docx_bytes,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_each_accepted_type_is_stored_under_a_random_name_with_its_facts(
    assessment, users, media_in_tmp, name, build, extension, content_type
):
    data = build()
    evidence = _attach(assessment, users.staff, name, data)
    stored = Evidence.objects.unscoped().get(pk=evidence.pk)
    match = STORED_NAME.match(stored.file.name)
    assert match, stored.file.name
    assert match.group(1, 2, 4) == (str(assessment.round_id), str(assessment.pk), extension)
    assert (stored.original_name, stored.size, stored.content_type) == (name, len(data), content_type)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploaded_by == users.staff
    assert (media_in_tmp / stored.file.name).read_bytes() == data


def test_the_type_comes_from_the_content_not_the_name(assessment, users):
    evidence = _attach(assessment, users.staff, "รูปถ่าย.pdf", factories.png_bytes())
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith(".png")
    assert evidence.original_name == "รูปถ่าย.pdf"


def test_two_uploads_of_the_same_name_get_different_stored_names(assessment, users):
    first = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes())
    second = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes())
    assert first.file.name != second.file.name
    assert Evidence.objects.unscoped().filter(assessment=assessment).count() == 2


SPOOFED = {
    "html_named_pdf": ("report.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    "exe_named_pdf": ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200),
    "script_named_png": ("photo.png", b"#!/bin/sh\nrm -rf /\n"),
    "zip_named_docx": ("บันทึก.docx", b"PK\x03\x04" + b"\x00" * 100),
    "gif_named_jpg": ("ภาพ.jpg", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00;"),
}


@pytest.mark.parametrize("case", list(SPOOFED))
def test_a_spoofed_type_is_refused(assessment, users, media_in_tmp, case):
    name, data = SPOOFED[case]
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        _attach(assessment, users.staff, name, data)
    assert error.value.message == f"This file is not one of the accepted types ({ALLOWED}), whatever its name says."
    assert not Evidence.objects.unscoped().exists()
    assert not (media_in_tmp / "evidence").exists()


def test_a_real_zip_holding_a_word_document_part_is_a_docx_and_one_without_is_refused(assessment, users):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office file")
    with pytest.raises(services.AssessmentError):
        _attach(assessment, users.staff, "x.docx", buffer.getvalue())
    assert _attach(assessment, users.staff, "x.docx", factories.docx_bytes()).content_type.endswith("document")


def test_an_oversize_file_is_refused_with_the_limit(assessment, users, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    data = factories.pdf_bytes() + b"%" + b"0" * 1000
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        _attach(assessment, users.staff, "ใหญ่.pdf", data)
    assert error.value.message == "The file is 0.0 MB; the limit is 0.0 MB."
    assert not Evidence.objects.unscoped().exists()


def test_a_file_exactly_at_the_limit_is_accepted(assessment, users, settings):
    data = factories.pdf_bytes()
    settings.EVIDENCE_MAX_BYTES = len(data)
    assert _attach(assessment, users.staff, "พอดี.pdf", data).size == len(data)


def test_the_default_limit_is_ten_megabytes(settings):
    assert settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024


def test_the_message_for_a_large_file_gives_the_sizes_in_megabytes(assessment, users, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    data = factories.pdf_bytes() + b"0" * (11 * 1024 * 1024)
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        _attach(assessment, users.staff, "ใหญ่.pdf", data)
    assert error.value.message == "The file is 11.0 MB; the limit is 10.0 MB."


def test_an_empty_file_is_refused(assessment, users):
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        _attach(assessment, users.staff, "ว่าง.pdf", b"")
    assert error.value.message == "The file is empty."
    assert not Evidence.objects.unscoped().exists()


def test_the_allowed_types_are_configurable(assessment, users, settings):
    settings.EVIDENCE_ALLOWED_TYPES = ["pdf"]
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        _attach(assessment, users.staff, "ภาพ.png", factories.png_bytes())
    assert error.value.message == "This file is not one of the accepted types (PDF), whatever its name says."
    assert _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes()).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../../etc/แผน.pdf", "แผน.pdf"),
        ("..\\..\\windows\\system32\\แผน.pdf", "แผน.pdf"),
        ("/var/www/แผน.pdf", "แผน.pdf"),
        ("..", "file"),
        ("./.htaccess.pdf", "htaccess.pdf"),
    ],
)
def test_a_name_with_a_path_is_stored_inside_evidence_and_kept_as_its_basename(
    assessment, users, media_in_tmp, name, kept
):
    # Django's upload classes already cut the path; a command or API may hand the service the raw name.
    upload = RawUpload(name, factories.pdf_bytes())
    evidence = services.attach_evidence(
        assessment, factories.indicator(assessment.framework, RATIO), users.staff, upload
    )
    assert evidence.original_name == kept
    assert STORED_NAME.match(evidence.file.name), evidence.file.name
    on_disk = Path(evidence.file.path).resolve()
    assert on_disk.is_relative_to((media_in_tmp / "evidence").resolve())
    assert on_disk.read_bytes() == factories.pdf_bytes()


def test_a_reviewer_cannot_attach_files(submitted, users):
    Evidence.objects.unscoped().all().delete()
    with pytest.raises(services.NotAllowed):
        _attach(submitted, users.district_officer, "แผน.pdf", factories.pdf_bytes())


# ---------------------------------------------------------------- through the views


def test_upload_through_the_page_attaches_the_file(assessment, users, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    response = client_for(users.staff).post(
        reverse("assessments:upload-evidence", args=[assessment.pk, ratio.pk]),
        {"file": factories.pdf_upload("../แผนงาน.pdf")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:area", args=[assessment.pk, "1"]) + f"#i{ratio.pk}"
    evidence = Evidence.objects.unscoped().get(assessment=assessment)
    assert (evidence.indicator, evidence.original_name) == (ratio, "แผนงาน.pdf")


def test_a_spoofed_upload_through_the_page_shows_why_it_was_refused(assessment, users, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    with translation.override("th"):
        expected = str(gettext("This file is not one of the accepted types (%(types)s), whatever its name says."))
    response = client_for(users.staff).post(
        reverse("assessments:upload-evidence", args=[assessment.pk, ratio.pk]),
        {"file": factories.upload("report.pdf", SPOOFED["html_named_pdf"][1], "application/pdf")},
        follow=True,
    )
    body = response.content.decode()
    assert escape(expected % {"types": ALLOWED}) in body
    assert "report.pdf" in body
    assert not Evidence.objects.unscoped().exists()


def test_an_upload_without_a_file_is_refused_with_a_message(assessment, users, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    response = client_for(users.staff).post(
        reverse("assessments:upload-evidence", args=[assessment.pk, ratio.pk]), {}, follow=True
    )
    assert response.status_code == 200
    assert not Evidence.objects.unscoped().exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# A committee viewer has the national scope but not the evidence files (tests/accounts/test_committee_viewer.py).
IN_SCOPE = ["staff", "head", "district_officer", "province_officer", "national_admin"]
OUT_OF_SCOPE = ["outsider_staff", "outsider_province_officer", "no_role", "committee_viewer"]


@pytest.mark.parametrize("role", IN_SCOPE)
def test_users_in_scope_download_the_original_bytes_under_the_original_name(assessment, users, client_for, role):
    data = factories.png_bytes()
    evidence = _attach(assessment, users.staff, "ภาพถนน.png", data)
    response = client_for(users.by_name(role)).get(
        reverse("assessments:download-evidence", args=[assessment.pk, evidence.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert "%E0%B8%A0%E0%B8%B2%E0%B8%9E%E0%B8%96%E0%B8%99%E0%B8%99.png" in response["Content-Disposition"]


@pytest.mark.parametrize("role", OUT_OF_SCOPE)
def test_users_out_of_scope_get_404_on_download(assessment, users, client_for, role):
    evidence = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes())
    response = client_for(users.by_name(role)).get(
        reverse("assessments:download-evidence", args=[assessment.pk, evidence.pk])
    )
    assert response.status_code == 404


def test_officers_of_a_neighbour_or_another_district_get_404_on_download(
    assessment, users, client_for, neighbour_staff, other_district_officer
):
    evidence = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes())
    url = reverse("assessments:download-evidence", args=[assessment.pk, evidence.pk])
    assert client_for(neighbour_staff).get(url).status_code == 404
    assert client_for(other_district_officer).get(url).status_code == 404


def test_a_file_asked_for_under_another_return_is_404(assessment, users, client_for, world):
    evidence = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes())
    neighbour = assessment.round.assessments.get(local_government=world.neighbour_same_district)
    response = client_for(users.district_officer).get(
        reverse("assessments:download-evidence", args=[neighbour.pk, evidence.pk])
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- removal is audited


def test_removal_is_recorded_in_history_and_shown_on_the_history_page(assessment, users, other_staff, client_for):
    evidence = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes())
    client = client_for(other_staff)
    response = client.post(reverse("assessments:remove-evidence", args=[assessment.pk, evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.unscoped().filter(pk=evidence.pk).exists()
    rows = list(Evidence.history.unscoped().filter(id=evidence.pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user, r.original_name) for r in rows] == [
        ("+", users.staff, "แผน.pdf"),
        ("-", other_staff, "แผน.pdf"),
    ]
    ratio = factories.indicator(assessment.framework, RATIO)
    page = client.get(reverse("assessments:history", args=[assessment.pk, ratio.pk]))
    files = [(c["what"], c["who"], c["new"]) for c in page.context["changes"] if c["what"].startswith("evidence")]
    assert files == [("evidence_added", users.staff, "แผน.pdf"), ("evidence_removed", other_staff, "แผน.pdf")]


def test_a_reviewer_cannot_remove_a_file(submitted, users, client_for):
    evidence = submitted.evidence.get()
    with pytest.raises(services.NotAllowed):
        services.remove_evidence(evidence, users.district_officer)
    client_for(users.district_officer).post(reverse("assessments:remove-evidence", args=[submitted.pk, evidence.pk]))
    assert Evidence.objects.unscoped().filter(pk=evidence.pk).exists()


def test_a_file_is_attached_to_the_indicator_it_was_uploaded_for(assessment, users):
    evidence = _attach(assessment, users.staff, "แผน.pdf", factories.pdf_bytes(), code=COUNT)
    assert evidence.indicator.code == COUNT


def test_the_upload_message_is_shown_at_the_indicator_not_at_the_top(assessment, users, client_for):
    """The page lands on the indicator after an upload; a refusal at the top of the page would go unseen."""
    ratio = factories.indicator(assessment.framework, RATIO)
    client = client_for(users.staff)
    url = reverse("assessments:upload-evidence", args=[assessment.pk, ratio.pk])
    refused = client.post(url, {"file": factories.upload("report.pdf", SPOOFED["html_named_pdf"][1])}, follow=True)
    card = text(find(refused.content, id=f"i{ratio.pk}"))
    assert "report.pdf:" in card
    main = refused.content.decode().split('id="main"', 1)[1]
    assert main.count("report.pdf:") == 1  # once, in the card
    accepted = client.post(url, {"file": factories.pdf_upload("รายงาน.pdf")}, follow=True)
    assert "รายงาน.pdf" in text(find(accepted.content, id=f"i{ratio.pk}"))

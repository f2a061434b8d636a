"""A corpus of hostile files is refused (or, when a file is harmless as stored, never served as a page), and an
oversized upload is stopped before it is received in full (issue 14)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from localstandards.assessments import services
from localstandards.assessments.models import Evidence
from localstandards.assessments.services.evidence import MAX_UNPACKED_BYTES, HostileFile
from tests.assessments import factories
from tests.assessments.factories import RATIO

pytestmark = pytest.mark.django_db


def office(extra: dict[str, bytes], base: bytes | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A real DOCX with parts added (macros, a program, a bomb…)."""
    source = zipfile.ZipFile(io.BytesIO(base or factories.docx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for name, data in extra.items():
            target.writestr(name, data)
    return buffer.getvalue()


def forged_sizes() -> bytes:
    """A DOCX whose extra part unpacks to far more than its header declares (the sizes in the headers are forged)."""
    data = office({"word/media/big.bin": b"\0" * (4 * 1024 * 1024)})
    declared = (4 * 1024 * 1024).to_bytes(4, "little")
    small = (1000).to_bytes(4, "little")
    return data.replace(declared, small)  # both the local header and the central directory say 1,000 bytes


def zip_with_a_program() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("setup.exe", b"MZ\x90\x00program")
    return buffer.getvalue()


def pdf_with(marker: bytes) -> bytes:
    pdf = factories.pdf_bytes()
    assert b"/Type/Catalog" in pdf
    return pdf.replace(b"/Type/Catalog", b"/Type/Catalog" + marker, 1)


HOSTILE = {
    "pdf_with_javascript": ("x.pdf", pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
    "pdf_launching_a_program": ("x.pdf", pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>")),
    "pdf_with_an_attached_file": ("x.pdf", pdf_with(b"/Names << /EmbeddedFiles [] >> /EmbeddedFile")),
    "png_header_then_html": ("x.png", factories.png_bytes()[:16] + b"<html><script>alert(1)</script></html>"),
    "png_with_html_after": ("x.png", factories.png_bytes() + b"<html><script>alert(1)</script></html>"),
    "docx_with_macros": ("x.docx", office({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})),
    "xlsx_with_macros": ("x.xlsx", office({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, factories.xlsx_bytes())),
    "docx_holding_a_program": ("x.docx", office({"word/embeddings/setup.exe": b"MZ\x90\x00program"})),
    "docx_holding_a_disguised_program": ("x.docx", office({"word/media/image9.png": b"MZ\x90\x00program"})),
    "zip_bomb_as_xlsx": (
        "x.xlsx",
        office({"xl/media/bomb.bin": b"\0" * (MAX_UNPACKED_BYTES + 1)}, factories.xlsx_bytes()),
    ),
    "zip_bomb_with_forged_sizes": ("x.docx", forged_sizes()),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_a_message_and_nothing_stored(assessment, users, case):
    name, data = HOSTILE[case]
    with pytest.raises(services.AssessmentError) as refused:
        services.attach_evidence(
            assessment, factories.indicator(assessment.framework, RATIO), users.staff, factories.upload(name, data)
        )
    assert isinstance(refused.value, HostileFile) and str(refused.value)
    assert not Evidence.objects.unscoped().exists()


def test_a_zip_holding_a_program_is_not_a_document(assessment, users):
    ratio = factories.indicator(assessment.framework, RATIO)
    with pytest.raises(services.AssessmentError, match="PDF, JPG, PNG, XLSX, DOCX"):
        services.attach_evidence(assessment, ratio, users.staff, factories.upload("x.docx", zip_with_a_program()))
    assert not Evidence.objects.unscoped().exists()


def test_ordinary_files_still_pass(assessment, users):
    ratio = factories.indicator(assessment.framework, RATIO)
    for name, data in (
        ("a.pdf", factories.pdf_bytes()),
        ("a.png", factories.png_bytes()),
        ("a.jpg", factories.jpeg_bytes()),
        ("a.xlsx", factories.xlsx_bytes()),
        ("a.docx", factories.docx_bytes()),
    ):
        services.attach_evidence(assessment, ratio, users.staff, factories.upload(name, data))
    assert Evidence.objects.unscoped().count() == 5


def test_a_polyglot_pdf_is_only_ever_a_download(assessment, users, client_for):
    """A PDF that is also a web page is a valid PDF: it is kept, but served as an attachment that may run nothing."""
    polyglot = factories.pdf_bytes() + b"\n<html><body><script>alert(document.cookie)</script></body></html>"
    ratio = factories.indicator(assessment.framework, RATIO)
    evidence = services.attach_evidence(assessment, ratio, users.staff, factories.upload("x.html.pdf", polyglot))
    response = client_for(users.staff).get(reverse("assessments:download-evidence", args=[assessment.pk, evidence.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_an_oversized_upload_is_stopped_before_it_is_received_in_full(assessment, users, client_for, settings):
    settings.MAX_UPLOAD_REQUEST_BYTES = 64 * 1024
    ratio = factories.indicator(assessment.framework, RATIO)
    client = client_for(users.staff)
    body = encode_multipart(BOUNDARY, {"file": factories.upload("big.pdf", factories.pdf_bytes() + b"0" * 200_000)})

    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            data = super().read(size)
            Counting.read_bytes += len(data)
            return data

    stream = Counting(body)
    response = client.generic(
        "POST",
        reverse("assessments:upload-evidence", args=[assessment.pk, ratio.pk]),
        data=b"",
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": MULTIPART_CONTENT},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    messages = [str(m) for m in page.context["messages"]]
    assert len(messages) == 1 and "MB" in messages[0]
    assert not Evidence.objects.unscoped().exists()
    assert Counting.read_bytes < len(body) // 2  # most of the file was never read

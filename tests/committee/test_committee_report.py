"""The committee report: the command's PDF and workbook, the button, the background task, who may have it.

The PDF's pages are rendered to images (pypdfium2) and read back: the cover, the table of contents with page
numbers, Thai text in every section, the charts and the province map drawn in the map's colours.
"""

from __future__ import annotations

import io

import pypdfium2
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from localstandards.committee.models import CommitteeReport, ReportState
from localstandards.notices.models import OutgoingEmail
from tests.analysis.conftest import build_round

pytestmark = pytest.mark.django_db
# Parts of the section titles as the PDF's text layer gives them back. Words with sara am (ำ) are left out: the text
# layer returns that vowel's two glyphs wrongly (a known limit of the extraction, not of the printed page).
SECTIONS = [
    "การส่งแบบรายงานและอัตราการรายงาน",
    "ผลการประเมินรายด้านและประเภท",
    "ผลการประเมินรายจังหวัด",
    "กว่าค่าเป้าหมายบ่อยที่สุด",
    "การวิเคราะห์เงินอุดหนุน",
    "การกระจายของคะแนนรางวัล",
]
# The darkest and lightest colours of the map's scale (cividis), as RGB.
MAP_ENDS = [(0x00, 0x20, 0x4D), (0xFF, 0xEA, 0x46)]


@pytest.fixture
def report_round(world, users):
    assessment_round, _returns = build_round(world)
    return assessment_round


def pages_of(pdf: bytes) -> tuple[list[str], list]:
    document = pypdfium2.PdfDocument(pdf)
    texts = [page.get_textpage().get_text_range() for page in document]
    images = [page.render(scale=2).to_pil().convert("RGB") for page in document]
    return texts, images


def has_colour(image, rgb, tolerance=16) -> int:
    return sum(
        1
        for pixel in image.get_flattened_data()
        if all(abs(channel - wanted) <= tolerance for channel, wanted in zip(pixel, rgb, strict=True))
    )


def test_the_command_writes_a_thai_report_with_contents_charts_and_map(report_round, tmp_path):
    call_command("committee_report", str(report_round.pk), "--out", str(tmp_path))
    stem = f"committee-report-{report_round.fiscal_year}-round-{report_round.pk}"
    texts, images = pages_of((tmp_path / f"{stem}.pdf").read_bytes())
    cover = texts[0].replace("\r\n", "").replace("\n", "")
    assert "รายงานผลการประเมินมาตรฐาน" in cover and "การจัดบริการสาธารณะขององค์กรปกครองส่วนท้องถิ่น" in cover
    assert str(timezone.localdate().year + 543) in texts[0]  # dated in the Buddhist era
    contents = texts[1]
    assert "สารบัญ" in contents
    for title in SECTIONS:
        assert title in contents
        first_page = next(number for number, text in enumerate(texts[2:], start=3) if title in text)
        # The contents line ends with the page the section starts on (the page number printed at the top).
        line = next(line for line in contents.splitlines() if title in line)
        assert line.rstrip().endswith(str(first_page)), line
        assert f"- {first_page} -" in texts[first_page - 1]
    map_page = next(i for i, text in enumerate(texts) if i > 1 and SECTIONS[2] in text)
    # The provinces with final returns are filled from the scale, whose legend runs from one end to the other.
    assert all(has_colour(images[map_page], rgb) > 20 for rgb in MAP_ENDS)
    assert has_colour(images[map_page], (0xD9, 0xD9, 0xD9), 4) > 10_000  # the other provinces, grey
    chart_page = next(i for i, text in enumerate(texts) if i > 1 and SECTIONS[0] in text)
    assert has_colour(images[chart_page], (0x1D, 0x4E, 0x89)) > 200  # the bars
    book = load_workbook(tmp_path / f"{stem}.xlsx")
    assert {
        "participation-regions",
        "participation-provinces",
        "results-by-area-type",
        "provinces",
        "below-target",
        "award-distribution",
    } <= set(book.sheetnames)
    regions = {row[0]: row for row in book["participation-regions"].iter_rows(min_row=3, values_only=True)}
    assert regions["ทั้งประเทศ"][3] == 4  # four final returns in the whole country
    assert regions["ภาคเหนือ"][3] == 3


def test_the_button_queues_the_report_and_the_list_offers_it(report_round, users, client_for):
    client = client_for(users.national_admin)
    response = client.post(reverse("committee:request", args=[report_round.pk]))
    assert response.status_code == 302
    report = CommitteeReport.objects.get(round=report_round)
    assert report.state == ReportState.DONE  # the task ran after commit (in-process in tests)
    page = client.get(reverse("committee:list", args=[report_round.pk]))
    assert reverse("committee:download", args=[report.pk, "pdf"]) in page.content.decode()
    pdf = client.get(reverse("committee:download", args=[report.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    workbook = client.get(reverse("committee:download", args=[report.pk, "xlsx"]))
    assert "below-target" in load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).sheetnames
    mail = OutgoingEmail.objects.get(to=users.national_admin.email)
    assert report_round.name in mail.subject


def test_only_national_users_have_the_report(report_round, users, client_for):
    assert client_for(users.committee_viewer).get(reverse("committee:list", args=[report_round.pk])).status_code == 200
    for user in (users.province_officer, users.district_officer, users.staff):
        client = client_for(user)
        assert client.get(reverse("committee:list", args=[report_round.pk])).status_code == 404
        assert client.post(reverse("committee:request", args=[report_round.pk])).status_code == 404
    assert not CommitteeReport.objects.exists()
    assert client_for(users.national_admin).get(reverse("committee:request", args=[report_round.pk])).status_code == 405

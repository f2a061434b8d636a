"""The circular letter: the parts of a Thai official letter, the sender's own header, Thai digits on request, a QR
code to the round's public page, an editable text per level with a preview, and the command."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command
from django.urls import reverse

from localstandards.notices import circulars
from localstandards.notices.models import CircularLevel, CircularTemplate
from tests.notices.pdf_text import loose, page_texts

pytestmark = pytest.mark.django_db


def page_images(pdf: bytes) -> list:
    return [page.render(scale=3).to_pil() for page in pypdfium2.PdfDocument(pdf)]


def qr_texts(image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def pdf_text(pdf: bytes) -> str:
    return "".join(page_texts(pdf))


@pytest.mark.parametrize(
    ("level", "office", "header", "to"),
    [
        (CircularLevel.PROVINCE, None, "กรมส่งเสริมการปกครองท้องถิ่น", "ผู้ว่าราชการจังหวัดทุกจังหวัด"),
        (CircularLevel.DISTRICT, "50", "ศาลากลางจังหวัดเชียงใหม่", "นายอำเภอ ทุกอำเภอในจังหวัดเชียงใหม่"),
        (CircularLevel.LAO, "5001", "ที่ว่าการอำเภอเมืองเชียงใหม่", "เมืองเชียงใหม่"),
    ],
)
def test_each_level_has_the_parts_of_an_official_letter_and_a_qr_to_the_public_page(
    open_round, world, settings, level, office, header, to
):
    settings.SITE_URL = "https://mss.example.go.th"
    sender = circulars.sender_for(level, office)
    pdf = circulars.circular_pdf(open_round, sender, circulars.template_for(level), digits=False)
    images = page_images(pdf)
    assert len(images) == 1
    assert qr_texts(images[0]) == [f"https://mss.example.go.th/progress/public/{open_round.pk}/"]
    text = pdf_text(pdf)
    for part in ("ที่", "เรื่อง", "เรียน", "สิ่งที่ส่งมาด้วย", "ขอแสดงความนับถือ", header, to, open_round.name):
        assert loose(part) in text, part
    assert "2567" in text and "https://mss.example.go.th/progress/public/" in text


def test_thai_digits_are_switchable_and_the_address_keeps_arabic_digits(open_round, world, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    sender = circulars.sender_for(CircularLevel.DISTRICT, "50")
    template = circulars.template_for(CircularLevel.DISTRICT)
    thai = circulars.letter(open_round, sender, template, digits=True)
    arabic = circulars.letter(open_round, sender, template, digits=False)
    assert "๒๕๖๗" in thai["paragraphs"][0] and "2567" not in thai["paragraphs"][0]
    assert "2567" in arabic["paragraphs"][0] and "๒๕๖๗" not in arabic["paragraphs"][0]
    assert "http://127.0.0.1:8000/progress/public/" in thai["paragraphs"][1]
    [image] = page_images(circulars.circular_pdf(open_round, sender, template, digits=True))
    assert qr_texts(image) == [f"http://127.0.0.1:8000/progress/public/{open_round.pk}/"]


def test_the_text_is_edited_per_level_with_a_preview_before_saving(open_round, world, users, client_for):
    client = client_for(users.national_admin)
    url = reverse("notices:circular-template", args=[open_round.pk, CircularLevel.LAO])
    page = client.get(url)
    form = {name: value or "" for name, value in page.context["form"].initial.items() if name in circulars.TEXT_FIELDS}
    form["subject"] = "แจ้งการบันทึกข้อมูล {round} ภายใน {closes}"
    preview = client.post(url, {**form, "action": "preview"})
    assert preview.status_code == 200 and "แจ้งการบันทึกข้อมูล รอบเปิด ภายใน" in preview.content.decode()
    assert not CircularTemplate.objects.exists()
    bad = client.post(url, {**form, "subject": "{budget}", "action": "save"})
    assert bad.status_code == 200 and "{budget}" in bad.content.decode() and not CircularTemplate.objects.exists()
    assert client.post(url, {**form, "action": "save"}).status_code == 302
    assert CircularTemplate.objects.get(level=CircularLevel.LAO).subject == form["subject"]
    letter = circulars.letter(
        open_round, circulars.sender_for(CircularLevel.LAO, "5001"), circulars.template_for("lao"), digits=False
    )
    assert letter["subject"].startswith("แจ้งการบันทึกข้อมูล รอบเปิด ภายใน ")
    assert client_for(users.province_officer).get(url).status_code == 404


def test_each_office_produces_only_its_own_letter(open_round, world, users, client_for):
    def get(user, level, code):
        return client_for(user).get(reverse("notices:circular", args=[open_round.pk, level, code]))

    assert get(users.province_officer, "district", "50").status_code == 200
    assert get(users.province_officer, "district", "90").status_code == 404
    assert get(users.province_officer, "province", "-").status_code == 404
    assert get(users.district_officer, "lao", "5001").status_code == 200
    assert get(users.district_officer, "lao", "5002").status_code == 404
    assert get(users.national_admin, "province", "-").status_code == 200
    response = client_for(users.district_officer).get(
        reverse("notices:circular", args=[open_round.pk, "lao", "5001"]), {"format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"


def test_the_command_writes_the_pdf(open_round, world, tmp_path):
    out = tmp_path / "circular.pdf"
    call_command("circular", open_round.pk, "--level", "lao", "--office", "5001", "--out", str(out), "--thai-digits")
    assert len(pypdfium2.PdfDocument(out.read_bytes())) == 1

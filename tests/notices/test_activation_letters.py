"""Activation letters: one A4 page per expected อปท., each QR code leading to the activation page with a working
code, and the letter's codes replacing any earlier ones."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pypdfium2
import pytest
import zxingcpp

from localstandards.accounts import invitations
from localstandards.accounts.models import Invitation, Role
from localstandards.notices import onboarding
from tests.notices.pdf_text import loose, page_texts

pytestmark = pytest.mark.django_db


def rendered_pages(pdf: bytes, scale: float = 3) -> list:
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=scale).to_pil() for page in document]


def decoded(image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


def test_one_page_per_local_government_with_qr_codes_that_open_the_activation_page(open_round, world, users, settings):
    settings.SITE_URL = "https://mss.example.go.th"
    pdf = onboarding.activation_letters_pdf(open_round, users.province_officer, world.province)
    texts = page_texts(pdf)
    expected = onboarding.expected_local_governments(open_round, world.province)
    assert len(texts) == len(expected) == 3
    for text, lg in zip(texts, expected, strict=True):
        assert loose(lg.full_name_th) in text and lg.dla_code in text
    # users.head and users.staff hold world.local_government's seats: its page has no codes and so no QR.
    first = [lg.pk for lg in expected].index(world.local_government.pk)
    images = rendered_pages(pdf)
    assert decoded(images[first]) == []
    assert loose("มีบัญชีที่ใช้งานอยู่แล้ว (ทดสอบ") in texts[first] and loose("ไม่ต้องใช้รหัส") in texts[first]
    for index, image in enumerate(images):
        if index == first:
            continue
        urls = decoded(image)
        assert len(urls) == 2
        for url in urls:
            parsed = urlparse(url)
            assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == "https://mss.example.go.th/accounts/activate/"
            code = parse_qs(parsed.query)["code"][0]
            assert code in texts[index]
            invitation = invitations.find_usable(code)
            assert invitation.local_government == expected[index]
        roles = {invitations.find_usable(parse_qs(urlparse(u).query)["code"][0]).role for u in urls}
        assert roles == {Role.LG_HEAD, Role.LG_STAFF}


def test_a_new_letter_replaces_the_codes_of_the_earlier_one(open_round, world, users):
    district = world.local_government_other_district.district
    pdf = onboarding.activation_letters_pdf(open_round, users.province_officer, world.province, district)
    [page] = rendered_pages(pdf)
    old_codes = [parse_qs(urlparse(url).query)["code"][0] for url in decoded(page)]
    assert len(old_codes) == 2 and all(invitations.find_usable(code) for code in old_codes)
    onboarding.activation_letters_pdf(open_round, users.province_officer, world.province, district)
    for code in old_codes:
        with pytest.raises(invitations.InvitationError, match="ถูกแทนที่"):
            invitations.find_usable(code)
    seats = Invitation.objects.filter(local_government=world.local_government_other_district)
    assert seats.count() == 4 and seats.live().count() == 2
    assert all(row.invalidated_by == users.province_officer for row in seats.exclude(invalidated_at=None))

"""The overview: progress per area, what blocks submission, and the status history of the return."""

from django.urls import reverse

from localstandards.assessments import services
from tests.assessments import factories
from tests.html import find, text


def test_the_overview_lists_each_status_change_with_who_made_it(submitted, users, client_for):
    ratio = factories.indicator(submitted.framework, factories.RATIO)
    services.return_for_correction(
        submitted, users.district_officer, "district", reasons={ratio.pk: "ตรวจใหม่"}, reopen_all=False
    )
    response = client_for(users.staff).get(reverse("assessments:overview", args=[submitted.pk]))
    timeline = response.context["timeline"]
    assert [(t["old"], t["new"]) for t in timeline] == [
        ("กำลังจัดทำ", "ส่งแล้ว: รออำเภอตรวจสอบ"),
        ("ส่งแล้ว: รออำเภอตรวจสอบ", "ส่งกลับแก้ไข"),
    ]
    assert [t["who"] for t in timeline] == [users.head, users.district_officer]
    assert "ประวัติสถานะ" in response.content.decode()


def test_the_overview_counts_answers_and_links_every_blocker(assessment, users, client_for):
    response = client_for(users.staff).get(reverse("assessments:overview", args=[assessment.pk]))
    (area,) = response.context["areas"]
    assert (area.answered, area.required) == (0, area.required)
    blockers = response.context["blockers"]
    assert blockers
    body = response.content.decode()
    for blocker in blockers[:12]:
        assert f"#{blocker.anchor}" in body


def test_a_submitted_return_shows_when_it_was_submitted_not_days_left(submitted, users, client_for):
    body = client_for(users.head).get(reverse("assessments:overview", args=[submitted.pk])).content.decode()
    header = text(find(body, css_class="deadline-line"))
    assert "รับรองและส่งแล้วเมื่อ" in header
    assert "วันสุดท้าย" not in header and "เหลือ" not in header


def test_a_returned_return_shows_what_was_returned_first_not_that_all_is_complete(submitted, users, client_for):
    ratio = factories.indicator(submitted.framework, factories.RATIO)
    services.return_for_correction(
        submitted, users.district_officer, "district", reasons={ratio.pk: "ภาพถ่ายไม่ชัด"}, reopen_all=False
    )
    response = client_for(users.staff).get(reverse("assessments:overview", args=[submitted.pk]))
    body = response.content.decode()
    assert "ภาพถ่ายไม่ชัด" in text(find(body, css_class="returned-list"))
    assert reverse("assessments:area", args=[submitted.pk, "1"]) + f"#i{ratio.pk}" in body
    (area,) = [a for a in response.context["areas"] if a.returned]
    assert area.returned == 1 and not area.complete  # no ✓ on an area with a returned indicator
    assert "กรอกข้อมูลและแนบหลักฐานครบแล้ว" not in body  # not "everything required is in"
    entry_page = client_for(users.staff).get(reverse("assessments:area", args=[submitted.pk, "1"])).content.decode()
    assert "ภาพถ่ายไม่ชัด" in text(find(entry_page, css_class="returned-reason"))  # at the top of its card

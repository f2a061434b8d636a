"""The results page, where a return stands, its previous round, the public permalink and embed, PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from localstandards.assessments import services as assessment_services
from localstandards.assessments.models import Answer, Comment, Status
from localstandards.registry.models import LocalGovernmentType
from localstandards.reports import services
from localstandards.reports.models import PublicLink
from localstandards.scoring.models import ReturnScore
from localstandards.scoring.services import current_results, rescore_assessment
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO
from tests.factories import UserFactory
from tests.reports.conftest import add_peers, make_final, store_answers

pytestmark = pytest.mark.django_db


def results_url(assessment, name="results"):
    return reverse(f"reports:{name}", args=[assessment.pk])


def rows_by_code(results) -> dict:
    return {row.code: row for row in results.rows}


# ---------------------------------------------------------------- the table


def test_results_table_values_are_computed_on_a_get_without_writing(assessment, users, client_for):
    store_answers(assessment, base=13502, delivered=360, count=1, yesno=False, satisfied=46, needs_improvement=14)
    assert not ReturnScore.objects.unscoped().filter(assessment=assessment).exists()
    response = client_for(users.staff).get(results_url(assessment))
    assert response.status_code == 200
    assert (
        not ReturnScore.objects.unscoped().filter(assessment=assessment).exists()
    )  # a GET never writes: computed in memory
    results = response.context["results"]
    rows = rows_by_code(results)
    ratio = rows[RATIO].record
    assert (ratio.base, ratio.delivered, ratio.target, ratio.label) == (D(13502), D(360), D(80), "DEVELOP")
    assert ratio.percentage.quantize(D("0.01")) == D("2.67")
    assert ratio.shortfall == D("10441.6")  # 80 % × 13502 − 360, in สายทาง
    assert rows[COUNT].record.shortfall == D(1)
    assert rows[YESNO].record.label == "DEVELOP"
    area = results.areas[0]
    assert [m.name for m in area.missions] == ["ถนน"]
    assert (area.summary.applicable, area.summary.met, area.summary.compliance) == (3, 0, D(0))
    html = response.content.decode()
    for text in ("ถนน", "ร้อยละของถนนของเทศบาลที่ได้รับการบำรุงรักษา", "13,502", "360", "2.67", "10,441.60 สายทาง"):
        assert text in html
    assert "การพัฒนาในอนาคต" in html  # the version's label wording
    assert "1 โครงการ" in html and "1.00 โครงการ" not in html  # a count's shortfall is a whole number
    # satisfaction table: count and share of each answer
    assert "46" in html and "76.67" in html and "14" in html and "23.33" in html


def test_provisional_results_are_marked(assessment, users, client_for):
    store_answers(assessment)
    response = client_for(users.staff).get(results_url(assessment))
    assert response.context["results"].final is False
    assert "ผลเบื้องต้น" in response.content.decode()
    assert response.context["public_link"] is None


def test_provisional_results_follow_new_answers(assessment, users, client_for):
    factories.fill_return(assessment, users.staff, evidence=False)
    client = client_for(users.staff)
    assert rows_by_code(client.get(results_url(assessment)).context["results"])[RATIO].record.label == "ABOVE"
    factories.answer(assessment, RATIO, users.staff, base=10, delivered=2)
    assert rows_by_code(client.get(results_url(assessment)).context["results"])[RATIO].record.label == "DEVELOP"


def test_final_results_are_not_marked_provisional(assessment, users, client_for):
    make_final(assessment)
    response = client_for(users.staff).get(results_url(assessment))
    html = response.content.decode()
    assert response.context["results"].final is True
    assert "ผลเบื้องต้น" not in html
    link = PublicLink.objects.unscoped().get(assessment=assessment)
    assert reverse("reports:public", args=[link.slug]) in html
    assert "&lt;iframe" in html  # the embed snippet, escaped in the textarea
    assert len(link.slug) >= 32


def test_overview_links_to_the_results(assessment, users, client_for):
    html = client_for(users.staff).get(reverse("assessments:overview", args=[assessment.pk])).content.decode()
    assert results_url(assessment) in html


# ---------------------------------------------------------------- where it stands


def test_percentile_hidden_below_five_peers(world, framework, users, client_for):
    add_peers(world.district, 4)
    add_peers(world.district, 3, lg_type=LocalGovernmentType.SAO, prefix="58")  # another type: not peers
    assessment_round = factories.open_test_round(framework)
    own = make_final(assessment_round.assessments.get(local_government=world.local_government))
    for peer in assessment_round.assessments.exclude(pk=own.pk):
        make_final(peer, delivered=5)
    results = services.build_results(own)
    assert results.national.peers == 4 and not results.national.shown and results.national.percentile is None
    assert results.areas[0].national.peers == 4 and not results.areas[0].national.shown
    html = client_for(users.staff).get(results_url(own)).content.decode()
    assert "มีเพียง 4 แห่ง" in html


def test_percentile_with_five_peers(world, framework, users, client_for):
    same_province = add_peers(world.district, 4)
    other_province = add_peers(world.other_district, 1, prefix="59")
    draft_peer = add_peers(world.district, 1, prefix="56")
    assessment_round = factories.open_test_round(framework)
    returns = {a.local_government_id: a for a in assessment_round.assessments.select_related("framework")}
    own = make_final(returns[world.local_government.pk])  # 80 %, score 96
    make_final(returns[same_province[0].pk])  # equal
    make_final(returns[same_province[1].pk])  # equal
    make_final(returns[same_province[2].pk], delivered=5)  # lower
    make_final(returns[same_province[3].pk], delivered=5)  # lower
    make_final(returns[other_province[0].pk], delivered=5)  # lower, other province
    store_answers(returns[draft_peer[0].pk], delivered=1)  # not final: never a peer
    rescore_assessment(returns[draft_peer[0].pk])
    results = services.build_results(own)
    assert (results.national.peers, results.national.below, results.national.equal) == (5, 3, 2)
    assert results.national.percentile == D(80)  # (3 + 2 / 2) / 5
    assert results.provincial.peers == 4 and results.provincial.percentile is None  # 4 in the province: hidden
    area = results.areas[0]
    assert area.national.percentile == D(80) and not area.provincial.shown
    response = client_for(users.staff).get(results_url(own))
    assert response.status_code == 200


# ---------------------------------------------------------------- against the previous round


def test_previous_round_indicator_by_indicator(world, framework, users, client_for):
    earlier_round = factories.open_test_round(framework, opens_in=-400, closes_in=-380, review_in=-370, name="ก่อน")
    make_final(
        earlier_round.assessments.get(local_government=world.local_government), delivered=5, count=5, yesno=False
    )
    current_round = factories.open_test_round(framework, name="ปีนี้")
    current = current_round.assessments.get(local_government=world.local_government)
    store_answers(current, delivered=8, count=3, yesno=False)
    results = services.build_results(current)
    assert results.previous.round == earlier_round
    rows = rows_by_code(results)
    assert (rows[RATIO].change, rows[COUNT].change, rows[YESNO].change) == ("better", "worse", "same")
    assert results.changes == {"better": 1, "same": 1, "worse": 1}
    html = client_for(users.staff).get(results_url(current)).content.decode()
    assert "ก่อน" in html


def test_no_previous_round_without_an_earlier_final_return(world, framework):
    earlier_round = factories.open_test_round(framework, opens_in=-400, closes_in=-380, review_in=-370)
    store_answers(earlier_round.assessments.get(local_government=world.local_government))  # never accepted
    current = factories.open_test_round(framework).assessments.get(local_government=world.local_government)
    store_answers(current)
    results = services.build_results(current)
    assert results.previous is None and all(row.change == "" for row in results.rows)


# ---------------------------------------------------------------- public permalink and embed


@pytest.fixture
def certified(world, framework, users):
    """A return accepted through the workflow (no review levels): certifier, comment and evidence are on it."""
    assessment_round = factories.open_test_round(framework, district_review=False, province_review=False)
    assessment = assessment_round.assessments.select_related("round", "framework", "local_government").get(
        local_government=world.local_government
    )
    author = UserFactory(username="commenter", first_name="สมศรี", last_name="ลับเฉพาะ")
    factories.fill_return(assessment, users.staff, base=10, delivered=5)
    assessment_services.add_comment(assessment, users.staff, None, "ข้อความภายในห้ามเผยแพร่")
    Comment.objects.create(assessment=assessment, author=author, body="ความเห็นส่วนตัวของผู้ตรวจ")
    factories.certify(assessment, users.head, name="นายผู้รับรอง ตัวจริง", position="ตำแหน่งผู้รับรอง")
    assessment.refresh_from_db()
    assert assessment.status == Status.ACCEPTED
    return assessment


def test_non_final_return_has_no_public_permalink(assessment, users):
    store_answers(assessment)
    assert services.public_link(assessment) is None
    link = PublicLink.objects.create(assessment=assessment)  # even a stored slug opens nothing while not final
    anonymous = Client()
    for name in ("public", "embed", "public-pdf"):
        assert anonymous.get(reverse(f"reports:{name}", args=[link.slug])).status_code == 404
    assert anonymous.get(reverse("reports:public", args=["not-a-real-slug"])).status_code == 404


def test_public_permalink_shows_the_table_without_personal_data(certified, users, client_for):
    client_for(users.staff).get(results_url(certified))
    slug = PublicLink.objects.unscoped().get(assessment=certified).slug
    anonymous = Client()
    for name in ("public", "embed"):
        response = anonymous.get(reverse(f"reports:{name}", args=[slug]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "เทศบาลตำบลหนองป่าครั่ง" in html and "50.00" in html and "การพัฒนาในอนาคต" in html
        for private in (
            "นายผู้รับรอง",
            "ตำแหน่งผู้รับรอง",
            "ข้อความภายในห้ามเผยแพร่",
            "ความเห็นส่วนตัวของผู้ตรวจ",
            "ลับเฉพาะ",
            "แผนงาน.pdf",
            "/evidence/",
            users.staff.last_name,
            users.head.last_name,
        ):
            assert private not in html, (name, private)
        assert "ผลเบื้องต้น" not in html


def test_reopened_return_loses_its_public_page(certified, users):
    link = services.public_link(certified)
    assert Client().get(reverse("reports:public", args=[link.slug])).status_code == 200
    assessment_services.reopen(certified, users.national_admin, "แก้ไขข้อมูล")
    assert Client().get(reverse("reports:public", args=[link.slug])).status_code == 404


def test_only_the_embed_may_be_framed(certified, users, client_for):
    slug = services.public_link(certified).slug
    embed = Client().get(reverse("reports:embed", args=[slug]))
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    for response in (
        Client().get(reverse("reports:public", args=[slug])),
        client_for(users.staff).get(results_url(certified)),
    ):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# ---------------------------------------------------------------- PDF and XLSX


def _pdf_text(data: bytes, tmp_path) -> str | None:
    executable = shutil.which("pdftotext")
    if not executable:
        return None
    path = tmp_path / "results.pdf"
    path.write_bytes(data)
    command = [executable, "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 (our own file)


def test_pdf_is_a_real_pdf_with_the_name(certified, users, client_for, tmp_path):
    response = client_for(users.staff).get(results_url(certified, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    if text is not None:
        assert "หนองป่าครั่ง" in text
        assert "หน้า 1 / 1" in text
        assert "นายผู้รับรอง" not in text
    slug = services.public_link(certified).slug
    public = Client().get(reverse("reports:public-pdf", args=[slug]))
    assert public.status_code == 200 and public.content.startswith(b"%PDF")


def test_provisional_pdf_is_marked(assessment, users, client_for, tmp_path):
    store_answers(assessment)
    response = client_for(users.staff).get(results_url(assessment, "pdf"))
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    if text is not None:
        assert "ผลเบื้องต้น" in text


def test_improvement_plan_lists_exactly_the_indicators_below_target(assessment, users, client_for):
    store_answers(assessment, base=10, delivered=5, count=3, yesno=False)
    response = client_for(users.staff).get(results_url(assessment, "plan"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row and row[2] == "รหัส")
    header = rows[header_index]
    assert "เกณฑ์ชี้วัด" in header and "ส่วนที่ขาด" in header and "คำแนะนำ" in header
    body = [row for row in rows[header_index + 1 :] if any(row)]
    assert [row[2] for row in body] == [RATIO, YESNO]  # the count (3 ≥ 2) is not below target
    ratio = body[0]
    assert ratio[header.index("ส่วนที่ขาด")] == 3.0  # 80 % × 10 − 5 สายทาง
    assert ratio[header.index("หน่วยนับ")] == "สายทาง"


# ---------------------------------------------------------------- scoping


ROUTES = ("results", "pdf", "plan")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "who", ["outsider_staff", "outsider_province_officer", "other_district_officer", "neighbour_staff", "no_role"]
)
def test_reports_routes_are_scoped(assessment, users, client_for, route, who, request):
    user = request.getfixturevalue(who) if who in ("other_district_officer", "neighbour_staff") else users.by_name(who)
    assert client_for(user).get(results_url(assessment, route)).status_code == 404


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", ["staff", "head", "district_officer", "province_officer", "national_admin"])
def test_reports_routes_open_inside_scope(assessment, users, client_for, route, who):
    store_answers(assessment)
    assert client_for(users.by_name(who)).get(results_url(assessment, route)).status_code == 200


@pytest.mark.parametrize("route", ROUTES)
def test_reports_routes_need_a_login(assessment, route):
    response = Client().get(results_url(assessment, route))
    assert response.status_code == 302 and "login" in response["Location"]


def test_fresh_stored_results_are_read_from_the_cache_and_stale_ones_are_not(assessment, users):
    store_answers(assessment)
    assert current_results(assessment).stored is False  # nothing stored yet
    rescore_assessment(assessment)
    assert current_results(assessment).stored is True
    Answer.objects.unscoped().filter(assessment=assessment).update(updated_at=timezone.now() + dt.timedelta(seconds=1))
    assert current_results(assessment).stored is False  # an answer moved since: computed again, in memory


def test_the_public_link_is_made_when_the_return_is_accepted_not_when_a_page_is_read(submitted, users, client_for):
    assert client_for(users.staff).get(results_url(submitted)).status_code == 200
    assert not PublicLink.objects.unscoped().filter(assessment=submitted).exists()
    assessment_services.accept(submitted, users.district_officer, "district")
    assessment_services.accept(submitted, users.province_officer, "province")
    assert PublicLink.objects.unscoped().filter(assessment=submitted).exists()
    assert ReturnScore.objects.unscoped().get(assessment=submitted).assessment_status == Status.ACCEPTED

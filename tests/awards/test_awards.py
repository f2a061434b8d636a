"""The award table of a round: national ranks within type, scope, the frozen list and its differences, and one
table rendered identically by the page, the downloads and `manage.py award_scores`."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from localstandards.assessments.models import Assessment, Status
from localstandards.assessments.services import review
from localstandards.awards import services
from localstandards.awards.models import FrozenAwardEntry, FrozenAwardList
from localstandards.registry.models import LocalGovernmentType
from localstandards.scoring.models import ReturnScore
from tests.factories import LocalGovernmentFactory

pytestmark = pytest.mark.django_db


def make_final(assessment_round, lg, score: D | None, *, stored: bool = True) -> Assessment:
    """The round's return of `lg`, accepted, with a stored overall score (or none at all when not `stored`)."""
    assessment, _created = Assessment.objects.unscoped().get_or_create(
        round=assessment_round, local_government=lg, defaults={"framework": assessment_round.framework}
    )
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED, accepted_at=timezone.now())
    assessment.refresh_from_db()
    if stored:
        set_score(assessment, score)
    return assessment


def set_score(assessment: Assessment, score: D | None) -> None:
    ReturnScore.objects.unscoped().update_or_create(
        assessment=assessment,
        defaults={
            "framework": assessment.framework,
            "score": score,
            "assessment_status": assessment.status,
            "computed_at": timezone.now(),
        },
    )


@pytest.fixture
def ranked(open_round, world):
    """SUBDISTRICT: LG1 50. SAO: LG2 90, LG3 80, LG_OUT 80 (a tie), X 70.5, Y a stored return without a score,
    Z accepted but not scored yet; W a draft (not final). Returns the round and the extra local governments."""
    extra = {
        name: LocalGovernmentFactory(district=world.district, dla_code=code, name_th=name)
        for name, code in (("กขค", "6500190"), ("ยางเนิ้ง", "6500191"), ("ขามเรียง", "6500192"), ("วังชิ้น", "6500193"))
    }
    make_final(open_round, world.local_government, D("50"))
    make_final(open_round, world.neighbour_same_district, D("90.123456"))
    make_final(open_round, world.local_government_other_district, D("80"))
    make_final(open_round, world.outside_local_government, D("80"))
    make_final(open_round, extra["กขค"], D("70.5"))
    make_final(open_round, extra["ยางเนิ้ง"], None)
    make_final(open_round, extra["ขามเรียง"], None, stored=False)
    Assessment.objects.create(round=open_round, local_government=extra["วังชิ้น"], framework=open_round.framework)
    return open_round


def names_and_ranks(rows) -> list[tuple[str, int | None]]:
    return [(row.name, row.rank_in_type) for row in rows]


def test_ranks_within_type_share_ties_and_leave_missing_scores_last(ranked):
    rows = services.award_rows(ranked)
    assert names_and_ranks(rows) == [
        ("หนองป่าครั่ง", 1),  # SUBDISTRICT comes before SAO (the order of the types)
        ("สันผีเสื้อ", 1),
        ("เกาะแต้ว", 2),  # a tie shares the rank; Thai order between them (เกาะ sorts under ก, before ดอย)
        ("ดอยแก้ว", 2),
        ("กขค", 4),  # competition ranking: 1, 2, 2, 4
        ("ขามเรียง", None),  # no score: no rank, last, in Thai order
        ("ยางเนิ้ง", None),
    ]
    first_sao = rows[1]
    assert first_sao.score == D("90.123456")  # the stored value, not rounded
    assert (first_sao.lg_type, first_sao.dla_code, first_sao.district, first_sao.province) == (
        LocalGovernmentType.SAO,
        "6500102",
        "เมืองเชียงใหม่",
        "เชียงใหม่",
    )
    assert first_sao.framework_id == ranked.framework_id
    assert first_sao.framework_label == f"{ranked.framework.name} (v{ranked.framework.version})"
    with translation.override("en"):
        assert services.award_rows(ranked)[0].formula == "0.8 × indicator score + 0.2 × satisfaction score"
        assert services.award_rows(ranked)[0].lg_type_label == "Subdistrict Municipality"


def test_rank_in_types_compares_scores_as_stored():
    ranks = services.rank_in_types(
        [(1, "SAO", D("80.000001")), (2, "SAO", D("80")), (3, "SAO", D("80")), (4, "SAO", None), (5, "PAO", D("1"))]
    )
    assert ranks == {1: 1, 2: 2, 3: 2, 4: None, 5: 1}


def test_formula_text():
    with translation.override("en"):
        assert services.formula_text("", D("0.250")) == "0.75 × indicator score + 0.25 × satisfaction score"
        assert services.formula_text("", D("0")) == "1 × indicator score + 0 × satisfaction score"
    assert services.formula_text(" min(100, indicator_score + 10) ", D("0.2")) == "min(100, indicator_score + 10)"


def test_score_distribution_counts_bands_with_100_in_the_last():
    def row(score):
        return services.AwardRow(1, "", "", "", "", 1, None, "SAO", "", score, None, 1, "", "", 1)

    scores = [D("0"), D("9.999999"), D("10"), D("55"), D("90"), D("100"), None]
    bands = services.score_distribution([row(score) for score in scores])
    assert bands == [
        ("0–10", 2),
        ("10–20", 1),
        ("20–30", 0),
        ("30–40", 0),
        ("40–50", 0),
        ("50–60", 1),
        ("60–70", 0),
        ("70–80", 0),
        ("80–90", 0),
        ("90–100", 2),
    ]
    assert services.score_distribution([row(D("25"))], width=25) == [
        ("0–25", 0),
        ("25–50", 1),
        ("50–75", 0),
        ("75–100", 0),
    ]


def test_a_reopened_return_leaves_the_table(ranked, world, users):
    assessment = Assessment.objects.unscoped().get(round=ranked, local_government=world.neighbour_same_district)
    review.reopen(assessment, users.national_admin, "ตัวเลขถนนผิด")
    rows = services.award_rows(ranked)
    assert "สันผีเสื้อ" not in [row.name for row in rows]
    assert names_and_ranks(rows)[1:4] == [("เกาะแต้ว", 1), ("ดอยแก้ว", 1), ("กขค", 3)]


def test_the_scope_keeps_the_national_rank(ranked, users):
    assert names_and_ranks(services.award_rows(ranked, users.province_officer)) == [
        ("หนองป่าครั่ง", 1),
        ("สันผีเสื้อ", 1),
        ("ดอยแก้ว", 2),
        ("กขค", 4),
        ("ขามเรียง", None),
        ("ยางเนิ้ง", None),
    ]
    assert names_and_ranks(services.award_rows(ranked, users.outsider_province_officer)) == [("เกาะแต้ว", 2)]
    district_rows = services.award_rows(ranked, users.district_officer)
    assert "ดอยแก้ว" not in [row.name for row in district_rows]  # another district of the same province
    assert len(district_rows) == 5
    # The service scopes to the own return (the page itself is not for local government users: 404).
    assert names_and_ranks(services.award_rows(ranked, users.staff)) == [("หนองป่าครั่ง", 1)]
    assert services.award_rows(ranked, users.no_role) == []


def test_few_queries_whatever_the_number_of_returns(ranked, world, users, django_assert_num_queries):
    with django_assert_num_queries(2):  # the final returns with their scores and places; the versions they use
        services.award_rows(ranked)
    for n in range(20):
        lg = LocalGovernmentFactory(district=world.other_district, dla_code=f"69001{n + 50:02d}")
        make_final(ranked, lg, D(n))
    with django_assert_num_queries(2):
        assert len(services.award_rows(ranked)) == 27
    officer = users.outsider_province_officer
    with django_assert_num_queries(4):  # + the viewer's memberships, + the returns in their scope
        assert len(services.award_rows(ranked, officer)) == 21


# ---- The page and its access


def page_url(assessment_round) -> str:
    return reverse("awards:round", args=[assessment_round.pk])


@pytest.mark.parametrize("name", ["staff", "head", "outsider_staff", "no_role"])
def test_local_government_users_get_404(ranked, users, client_for, name):
    assert client_for(users.by_name(name)).get(page_url(ranked)).status_code == 404
    assert client_for(users.by_name(name)).get(page_url(ranked), {"format": "csv"}).status_code == 404


def test_an_unknown_round_is_404(ranked, users, client_for):
    assert client_for(users.national_admin).get(reverse("awards:round", args=[ranked.pk + 999])).status_code == 404


def download_rows(client, url: str) -> list[list[str]]:
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_outsider_province_officer_sees_only_their_province(ranked, users, client_for):
    client = client_for(users.outsider_province_officer)
    page = client.get(page_url(ranked)).content.decode()
    assert "เกาะแต้ว" in page
    assert "หนองป่าครั่ง" not in page and "5500101" not in page
    rows = download_rows(client, page_url(ranked))
    assert [row[:3] for row in rows[1:]] == [["2", "6900101", "เกาะแต้ว"]]


def test_the_province_officer_download_holds_their_province_with_national_ranks(ranked, users, client_for):
    rows = download_rows(client_for(users.province_officer), page_url(ranked))
    assert [(row[0], row[2], row[6]) for row in rows[1:]] == [
        ("1", "หนองป่าครั่ง", "50.00"),
        ("1", "สันผีเสื้อ", "90.12"),
        ("2", "ดอยแก้ว", "80.00"),
        ("4", "กขค", "70.50"),
        ("", "ขามเรียง", ""),
        ("", "ยางเนิ้ง", ""),
    ]


def test_the_page_filters_by_type_and_province_and_pages_by_100(ranked, world, users, client_for):
    client = client_for(users.committee_viewer)
    page = client.get(page_url(ranked), {"type": "SUBDISTRICT"}).content.decode()
    assert "หนองป่าครั่ง" in page and "สันผีเสื้อ" not in page
    page = client.get(page_url(ranked), {"province": str(world.other_province.pk)}).content.decode()
    assert "เกาะแต้ว" in page and "สันผีเสื้อ" not in page
    page = client.get(page_url(ranked), {"type": "nonsense", "province": "x"})
    assert page.status_code == 200 and "สันผีเสื้อ" in page.content.decode()
    for n in range(100):
        make_final(ranked, LocalGovernmentFactory(district=world.other_district, dla_code=f"69002{n:02d}"), D(1))
    first = client.get(page_url(ranked)).content.decode()
    second = client.get(page_url(ranked), {"page": "2"}).content.decode()
    assert first.count('<th scope="row">') == 100
    assert second.count('<th scope="row">') == 7
    assert "ยางเนิ้ง" in second  # no score: the last row of all


def test_page_xlsx_csv_and_command_hold_the_same_table(ranked, users, client_for, tmp_path):
    client = client_for(users.national_admin)
    with translation.override("th"):
        table = services.award_table(services.award_rows(ranked), ranked)
    expected = [[("" if v is None else str(v)) for v in row] for row in table.rows]

    from_page = download_rows(client, page_url(ranked))
    assert from_page[0] == table.column_titles()
    assert from_page[1:] == expected

    out = io.StringIO()
    call_command("award_scores", str(ranked.pk), "--format", "csv", stdout=out)
    assert out.getvalue() == client.get(page_url(ranked), {"format": "csv"}).content.decode("utf-8")

    response = client.get(page_url(ranked), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[1] == table.column_titles()
    typed = [[float(v) if isinstance(v, D) else v for v in row] for row in table.rows]
    assert [[("" if v is None else v) for v in row] for row in cells[2 : 2 + len(typed)]] == [
        [("" if v is None else v) for v in row] for row in typed
    ]
    call_command("award_scores", str(ranked.pk), "--format", "xlsx", "--out", str(tmp_path / "a.xlsx"))
    from_command = [list(row) for row in load_workbook(tmp_path / "a.xlsx").active.iter_rows(values_only=True)]
    assert from_command[: 2 + len(typed)] == cells[: 2 + len(typed)]

    html = client.get(page_url(ranked)).content.decode()
    assert "90.12" in html and "70.50" in html  # the page shows the table's 2-place score


def test_command_errors(ranked, tmp_path):
    with pytest.raises(CommandError, match="no assessment round with id 999999"):
        call_command("award_scores", "999999", "--format", "csv", stdout=io.StringIO())
    with pytest.raises(CommandError, match="must be a number"):
        call_command("award_scores", "abc", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--out"):
        call_command("award_scores", str(ranked.pk), "--format", "xlsx")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("award_scores", str(ranked.pk), "--out", str(tmp_path / "missing" / "a.csv"))


# ---- Freezing


def freeze_url(assessment_round) -> str:
    return reverse("awards:freeze", args=[assessment_round.pk])


def test_freezing_is_post_only_confirmed_and_for_national_admins(ranked, users, client_for):
    admin = client_for(users.national_admin)
    assert admin.get(freeze_url(ranked)).status_code == 405
    assert f'action="{freeze_url(ranked)}"' in admin.get(page_url(ranked)).content.decode()
    # The button asks for the confirmation; an unticked confirmation freezes nothing either.
    assert admin.post(freeze_url(ranked)).status_code == 200
    assert admin.post(freeze_url(ranked), {"confirm_step": "1"}).status_code == 200
    assert not FrozenAwardList.objects.exists()
    for name in ("committee_viewer", "province_officer", "district_officer"):
        client = client_for(users.by_name(name))
        assert freeze_url(ranked) not in client.get(page_url(ranked)).content.decode()
        assert client.post(freeze_url(ranked), {"confirm_step": "1", "confirm": "on"}).status_code == 403
    assert client_for(users.staff).post(freeze_url(ranked), {"confirm_step": "1", "confirm": "on"}).status_code == 404
    assert not FrozenAwardList.objects.exists()

    response = admin.post(freeze_url(ranked), {"confirm_step": "1", "confirm": "on"})
    assert response.status_code == 302
    award_list = FrozenAwardList.objects.get(round=ranked)
    assert (award_list.frozen_by, award_list.entries_count) == (users.national_admin, 7)
    assert award_list.history.get().history_user == users.national_admin  # audited
    entry = FrozenAwardEntry.objects.unscoped().get(award_list=award_list, local_government__name_th="ดอยแก้ว")
    assert (entry.score, entry.rank_in_type, entry.lg_type) == (D("80"), 2, "SAO")
    assert freeze_url(ranked) not in admin.get(page_url(ranked)).content.decode()  # once only

    admin.post(freeze_url(ranked), {"confirm_step": "1", "confirm": "on"})
    assert FrozenAwardList.objects.count() == 1


def test_freeze_service_refuses_others_a_second_time_and_an_empty_round(ranked, closed_round, users):
    with pytest.raises(services.NotAllowed):
        services.freeze(ranked, users.committee_viewer)
    with pytest.raises(services.AwardError, match="no final returns"), translation.override("en"):
        services.freeze(closed_round, users.national_admin)
    services.freeze(ranked, users.national_admin)
    with pytest.raises(services.AlreadyFrozen):
        services.freeze(ranked, users.national_admin)


def test_after_freezing_changes_show_as_differences_not_in_the_list(ranked, world, users, client_for):
    services.freeze(ranked, users.national_admin)
    frozen_table = services.award_table(services.listed_rows(ranked)[0]).rows
    reopened = Assessment.objects.unscoped().get(round=ranked, local_government=world.neighbour_same_district)
    review.reopen(reopened, users.national_admin, "ตัวเลขถนนผิด")
    set_score(
        Assessment.objects.unscoped().get(round=ranked, local_government=world.local_government_other_district), D("85")
    )
    newcomer = make_final(
        ranked, LocalGovernmentFactory(district=world.district, dla_code="6500199", name_th="น้ำพอง"), D(60)
    )

    rows, award_list = services.listed_rows(ranked)
    assert award_list is not None
    assert services.award_table(rows).rows == frozen_table  # the list itself does not move
    assert "สันผีเสื้อ" in [row.name for row in rows]

    found = {d.name: d for d in services.differences(ranked)}
    assert set(found) == {"สันผีเสื้อ", "ดอยแก้ว", "กขค", "น้ำพอง"}  # เกาะแต้ว: still 80, still 2nd
    left = found["สันผีเสื้อ"]
    assert (left.kind, left.frozen_score, left.frozen_rank, left.current_score, left.current_rank) == (
        "left",
        D("90.123456"),
        1,
        None,
        None,
    )
    assert left.current_status == Status.RETURNED
    with translation.override("en"):
        assert left.status_label == "Returned for correction"
    changed = found["ดอยแก้ว"]
    assert (changed.kind, changed.frozen_score, changed.frozen_rank, changed.current_score, changed.current_rank) == (
        "changed",
        D("80"),
        2,
        D("85"),
        1,
    )
    moved = found["กขค"]  # same score, one place up once สันผีเสื้อ left
    assert (moved.kind, moved.frozen_score, moved.frozen_rank, moved.current_score, moved.current_rank) == (
        "changed",
        D("70.5"),
        4,
        D("70.5"),
        3,
    )
    new = found["น้ำพอง"]
    assert (new.kind, new.frozen_score, new.current_score, new.current_rank) == ("new", None, D(60), 4)
    assert newcomer.pk not in [row.assessment_id for row in rows]

    # The page: the frozen list, and the marked box with the current value next to the frozen one.
    client = client_for(users.province_officer)
    html = client.get(page_url(ranked)).content.decode()
    box = html[html.index('id="differences-title"') : html.index("</section>")]
    assert "difference-left" in box and "difference-changed" in box and "difference-new" in box
    assert "90.12" in box and "85.00" in box and "60.00" in box
    table_part = html[html.index("award-table") :]
    assert "สันผีเสื้อ" in table_part and "น้ำพอง" not in table_part
    assert [row[2] for row in download_rows(client, page_url(ranked))[1:]] == [
        "หนองป่าครั่ง",
        "สันผีเสื้อ",
        "ดอยแก้ว",
        "กขค",
        "ขามเรียง",
        "ยางเนิ้ง",
    ]


def test_the_page_writes_nothing(ranked, users, client_for):
    with CaptureQueriesContext(connection) as captured:
        client_for(users.national_admin).get(page_url(ranked))
        client_for(users.national_admin).post(freeze_url(ranked))  # the confirmation step
    writes = [q["sql"] for q in captured if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert [sql for sql in writes if "session" not in sql.lower() and "last_login" not in sql.lower()] == []


@pytest.mark.parametrize("params", [{}, {"format": "csv"}, {"format": "xlsx"}])
def test_the_page_and_downloads_cost_no_more_queries_for_more_rows(ranked, world, users, client_for, params):
    client = client_for(users.province_officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page_url(ranked), params)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured)

    services.freeze(ranked, users.national_admin)
    before = count()
    for n in range(15):
        lg = LocalGovernmentFactory(district=world.district, dla_code=f"65001{n + 60:02d}")
        make_final(ranked, lg, D(n))  # new since the freeze: differences on the page
    assert count() == before

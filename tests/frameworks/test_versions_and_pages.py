"""Versions (publish freezes, new version copies, retire) and the pages (preview per type, admin-only 404s)."""

import io

import pytest
from django.urls import reverse

from localstandards.frameworks import services
from localstandards.frameworks.models import (
    Area,
    Framework,
    FrameworkFrozenError,
    Indicator,
    IndicatorTarget,
    Status,
    fill_wording,
    lg_word,
)
from localstandards.frameworks.samples.build_sample import SAMPLE_PATH
from localstandards.registry.models import LocalGovernmentType
from tests.frameworks.factories import make_framework, small_spec, small_workbook
from tests.frameworks.test_workbook import edit
from tests.html import find_all, text


def test_lg_word_for_every_type():
    assert {t: lg_word(t) for t in LocalGovernmentType.values} == {
        "PAO": "อบจ.",
        "CITY": "เทศบาล",
        "TOWN": "เทศบาล",
        "SUBDISTRICT": "เทศบาล",
        "SAO": "อบต.",
        "SPECIAL": "เมืองพัทยา",
        "BMA": "กรุงเทพมหานคร",
    }
    assert fill_wording("ถนนของ{lg}", "SAO") == "ถนนของอบต."


@pytest.mark.django_db
class TestVersions:
    def test_publish_freezes_every_part(self):
        framework = make_framework(published=True)
        assert framework.status == Status.PUBLISHED and framework.published_at
        area = Area.objects.filter(framework=framework).first()
        area.name = "แก้ไข"
        with pytest.raises(FrameworkFrozenError):
            area.save()
        indicator = Indicator.objects.filter(framework=framework).first()
        with pytest.raises(FrameworkFrozenError):
            indicator.delete()
        with pytest.raises(FrameworkFrozenError):
            Indicator.objects.filter(framework=framework).update(wording="x")
        with pytest.raises(FrameworkFrozenError):
            IndicatorTarget.objects.filter(indicator__framework=framework).update(value=1)
        with pytest.raises(FrameworkFrozenError):
            Area.objects.create(framework=framework, code="9", name="ใหม่")
        framework.pass_threshold = 10
        with pytest.raises(FrameworkFrozenError):
            framework.save()
        with pytest.raises(FrameworkFrozenError):
            Framework.objects.get(pk=framework.pk).delete()
        assert services.framework_to_spec(framework) == small_spec()

    def test_draft_can_be_edited(self):
        framework = make_framework()
        Area.objects.filter(framework=framework).update(name="แก้ไขได้")
        assert set(Area.objects.filter(framework=framework).values_list("name", flat=True)) == {"แก้ไขได้"}

    def test_new_version_is_a_deep_copy_and_editable(self):
        original = make_framework(published=True)
        draft = services.new_version(original)
        assert (draft.version, draft.status, draft.copied_from) == (2, Status.DRAFT, original)
        assert services.framework_to_spec(draft) == services.framework_to_spec(original)
        Indicator.objects.filter(framework=draft, code="1.1.1").update(wording="ใหม่")
        assert Indicator.objects.get(framework=original, code="1.1.1").wording != "ใหม่"

    def test_retire_and_invalid_transitions(self):
        framework = make_framework()
        with pytest.raises(services.FrameworkStateError):
            services.retire_framework(framework)
        services.publish_framework(framework)
        with pytest.raises(services.FrameworkStateError):
            services.publish_framework(framework)
        retired = services.retire_framework(framework)
        assert retired.status == Status.RETIRED and retired.retired_at


@pytest.mark.django_db
class TestPreview:
    @pytest.mark.parametrize("lg_type", LocalGovernmentType.values)
    def test_preview_renders_for_every_type(self, client_for, users, lg_type):
        framework = services.import_workbook(SAMPLE_PATH.read_bytes(), publish=True).framework
        client = client_for(users.staff)
        response = client.get(reverse("frameworks:preview", args=[framework.pk]), {"type": lg_type})
        assert response.status_code == 200
        html = response.content.decode()
        shown = [i for i in Indicator.objects.filter(framework=framework) if i.applies_to(lg_type)]
        hidden = [i for i in Indicator.objects.filter(framework=framework) if not i.applies_to(lg_type)]
        assert shown and hidden
        assert all(i.wording_for(lg_type) in html for i in shown)
        assert not any(i.wording_for(lg_type) in html for i in hidden)
        assert "{lg}" not in html
        assert "ตัวอย่าง" in html
        printable = client.get(reverse("frameworks:preview-print", args=[framework.pk]), {"type": lg_type})
        assert printable.status_code == 200
        assert all(i.wording_for(lg_type) in printable.content.decode() for i in shown)

    def test_pao_and_sao_see_their_own_selection_and_targets(self, client_for, users):
        framework = make_framework(published=True)
        client = client_for(users.staff)
        pao = client.get(reverse("frameworks:preview", args=[framework.pk]), {"type": "PAO"}).content.decode()
        sao = client.get(reverse("frameworks:preview", args=[framework.pk]), {"type": "SAO"}).content.decode()
        city = client.get(reverse("frameworks:preview", args=[framework.pk]), {"type": "CITY"}).content.decode()
        assert "จำนวนโครงการถนนสายจังหวัดของอบจ." in pao and "จำนวนโครงการถนนสายจังหวัด" not in sao
        assert "อบต.มีแผนป้องกันโรค" in sao and "มีแผนป้องกันโรค" not in pao
        assert "ร้อยละของถนนลาดยางของเทศบาลที่ได้รับการบำรุงรักษา" in city and "90%" in city and "80%" not in city


ADMIN_ONLY = {
    "import": lambda f: reverse("frameworks:import"),
    "export": lambda f: reverse("frameworks:export", args=[f.pk]),
    "publish": lambda f: reverse("frameworks:action", args=[f.pk, "publish"]),
    "new-version": lambda f: reverse("frameworks:action", args=[f.pk, "new-version"]),
    "draft-detail": lambda f: reverse("frameworks:detail", args=[f.pk]),
    "draft-preview": lambda f: reverse("frameworks:preview", args=[f.pk]),
}


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("route", ADMIN_ONLY)
    @pytest.mark.parametrize("role", ["staff", "province_officer", "committee_viewer", "no_role"])
    def test_admin_only_pages_are_404_for_others(self, client_for, users, role, route):
        draft = make_framework()
        client = client_for(users.by_name(role))
        assert client.get(ADMIN_ONLY[route](draft)).status_code == 404
        assert client.post(ADMIN_ONLY[route](draft)).status_code == 404
        assert Framework.objects.get().status == Status.DRAFT and Framework.objects.count() == 1

    @pytest.mark.parametrize("route", ADMIN_ONLY)
    def test_national_admin_may_open_them(self, client_for, users, route):
        assert client_for(users.national_admin).get(ADMIN_ONLY[route](make_framework())).status_code == 200

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(reverse("frameworks:list"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_list_shows_published_to_everyone_drafts_to_admins(self, client_for, users):
        make_framework(published=True, code="PUB-X", sample=True)
        make_framework(code="HIDDEN-Y")
        staff_page = client_for(users.staff).get(reverse("frameworks:list")).content.decode()
        admin_page = client_for(users.national_admin).get(reverse("frameworks:list")).content.decode()
        assert "PUB-X" in staff_page and "HIDDEN-Y" not in staff_page and "ตัวอย่าง" in staff_page
        assert "PUB-X" in admin_page and "HIDDEN-Y" in admin_page


@pytest.mark.django_db
class TestAdminPages:
    def test_import_with_errors_shows_the_table_and_saves_nothing(self, client_for, users):
        data = edit(small_workbook(), {("indicators", "E3"): "percent"})
        upload = io.BytesIO(data)
        upload.name = "framework.xlsx"
        response = client_for(users.national_admin).post(reverse("frameworks:import"), {"workbook": upload})
        assert response.status_code == 400
        html = response.content.decode()
        assert '<td data-label="ชีต">indicators</td>' in html and ">E3</td>" in html
        assert Framework.objects.count() == 0

    def test_import_success_redirects_to_the_new_draft(self, client_for, users):
        upload = io.BytesIO(small_workbook())
        upload.name = "framework.xlsx"
        response = client_for(users.national_admin).post(reverse("frameworks:import"), {"workbook": upload})
        framework = Framework.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("frameworks:detail", args=[framework.pk])
        assert framework.status == Status.DRAFT and framework.created_by == users.national_admin

    def test_publish_new_version_retire_buttons(self, client_for, users):
        framework = make_framework()
        client = client_for(users.national_admin)
        assert client.post(reverse("frameworks:action", args=[framework.pk, "publish"])).status_code == 302
        response = client.post(reverse("frameworks:action", args=[framework.pk, "new-version"]))
        draft = Framework.objects.get(version=2)
        assert response["Location"] == reverse("frameworks:detail", args=[draft.pk])
        client.post(reverse("frameworks:action", args=[framework.pk, "retire"]))
        assert list(Framework.objects.order_by("version").values_list("status", flat=True)) == ["retired", "draft"]

    def test_export_downloads_the_same_framework(self, client_for, users):
        framework = make_framework(published=True)
        response = client_for(users.national_admin).get(reverse("frameworks:export", args=[framework.pk]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "framework-T-2567-v1.xlsx" in response["Content-Disposition"]
        from localstandards.frameworks.workbook import parse_workbook

        assert parse_workbook(response.content) == small_spec()

    def test_admin_shows_published_read_only(self, client_for, users):
        framework = make_framework(published=True)
        client = client_for(users.national_admin)
        page = client.get(reverse("admin:frameworks_framework_change", args=[framework.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        indicator = Indicator.objects.filter(framework=framework).first()
        page = client.get(reverse("admin:frameworks_indicator_change", args=[indicator.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        draft = make_framework(code="D")
        page = client.get(reverse("admin:frameworks_framework_change", args=[draft.pk]))
        assert 'name="_save"' in page.content.decode()


@pytest.mark.django_db
def test_the_framework_page_names_the_types_in_thai_not_by_code(users, client_for):
    framework = make_framework()
    body = client_for(users.national_admin).get(reverse("frameworks:detail", args=[framework.pk])).content.decode()
    types = " ".join(text(element) for element in find_all(body, css_class="badge-type"))
    assert "อบต." in types
    assert "SUBDISTRICT" not in types and "SAO" not in types

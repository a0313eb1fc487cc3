"""The agencies' pages: the city manages agencies and experts, counties read, an agency edits
its own contact details and asks the city to approve changes of scope and experts; every change
is in the history; the public dynamic list needs no login and keeps its earlier editions."""

import pytest
from django.test import Client

from portal.audit import history_for
from reviews.models import AgencyChangeRequest, Expert, ReviewAgency
from reviews.services.agencies import agency_list_publish, agency_standing_decide
from tests.access import assert_access
from tests.factories import AgencyFactory, review_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def industries(reference):
    return reference["industries"]


def test_the_city_edits_an_agency_directly_and_the_change_is_in_the_history(
    agency, city_user, industries
):
    response = client_for(city_user).post(
        f"/reviews/agencies/{agency.pk}/edit/",
        {"name": "烟台新名称安全咨询有限公司", "contact": "王工", "phone": "0535-1",
         "industries": [industries[0].pk, industries[1].pk], "version": agency.version},
    )  # fmt: skip
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "烟台新名称安全咨询有限公司" and agency.industries.count() == 2
    actions = set(history_for(agency).values_list("action", flat=True))
    assert {"修改机构信息", "修改可评审行业"} <= actions


def test_an_agency_edits_its_contact_and_asks_for_its_scope(
    agency, agency_user, city_user, industries
):
    client = client_for(agency_user)
    response = client.post(
        f"/reviews/agencies/{agency.pk}/edit/",
        {"name": "改不了的名字", "contact": "新联系人", "phone": "0535-2",
         "industries": [industries[2].pk], "version": agency.version},
    )  # fmt: skip
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.contact == "新联系人" and agency.name != "改不了的名字"
    assert agency.industries.count() == 0  # not before the city approves
    change = AgencyChangeRequest.objects.get(agency=agency)
    assert change.kind == "industries" and change.status == "pending"
    client_for(city_user).post(f"/reviews/agencies/changes/{change.pk}/", {"decision": "approve"})
    assert list(agency.industries.all()) == [industries[2]]
    assert history_for(agency).filter(action="批准可评审行业变更").exists()


def test_an_agencys_new_expert_waits_for_the_city(agency, agency_user, city_user, industries):
    client_for(agency_user).post(
        f"/reviews/agencies/{agency.pk}/experts/new/",
        {"name": "郑晓东", "certificate_no": "SD-1", "industries": [industries[0].pk],
         "is_active": "on"},
    )  # fmt: skip
    assert not Expert.objects.filter(name="郑晓东").exists()
    change = AgencyChangeRequest.objects.get(kind="expert_add")
    client_for(city_user).post(f"/reviews/agencies/changes/{change.pk}/", {"decision": "approve"})
    expert = Expert.objects.get(name="郑晓东")
    assert expert.agency == agency and not expert.spot_checks  # the box was left unticked
    assert history_for(expert).filter(action="新增评审专家").exists()


def test_whether_an_expert_joins_spot_checks_is_shown_and_edited(agency, city_user):
    expert = Expert.objects.create(agency=agency, name="李建国", spot_checks=True)
    client = client_for(city_user)
    page = client.get(f"/reviews/agencies/{agency.pk}/").content.decode()
    assert "可参加抽查" in page
    client.post(f"/reviews/experts/{expert.pk}/", {"name": "李建国", "is_active": "on"})
    expert.refresh_from_db()
    assert expert.spot_checks is False
    entry = history_for(expert).get(action="修改专家信息")
    assert entry.changes["spot_checks"] == ["是", "否"]  # histories speak in words


def test_a_rejection_needs_a_reason_and_changes_nothing(agency, agency_user, city_user):
    expert = Expert.objects.create(agency=agency, name="王海峰", spot_checks=True)
    client_for(agency_user).post(f"/reviews/experts/{expert.pk}/", {"name": "王海峰"})
    change = AgencyChangeRequest.objects.get(kind="expert_edit")
    city = client_for(city_user)
    city.post(f"/reviews/agencies/changes/{change.pk}/", {"decision": "reject"})
    assert AgencyChangeRequest.objects.get(pk=change.pk).status == "pending"
    city.post(f"/reviews/agencies/changes/{change.pk}/", {"decision": "reject", "note": "人员未变"})
    assert AgencyChangeRequest.objects.get(pk=change.pk).status == "rejected"
    assert Expert.objects.get(pk=expert.pk).spot_checks is True


def test_who_reads_and_who_edits_an_agency(agency, agency_user, city_user, county_user, make_user):
    other = make_user(role="agency", agency=AgencyFactory())
    page, edit = f"/reviews/agencies/{agency.pk}/", f"/reviews/agencies/{agency.pk}/edit/"
    assert_access(page, {city_user: 200, county_user: 200, agency_user: 200, other: 404})
    assert_access(edit, {city_user: 200, county_user: 403, agency_user: 200, other: 404})
    assert_access("/reviews/agencies/", {county_user: 200, agency_user: 403, None: 302})


def test_the_public_list_keeps_its_earlier_editions(agency, city_user):
    agency_list_publish(year=2026, actor=city_user, note="年初名单")
    agency_standing_decide(agency=agency, decision="remove", reason="屡改屡犯", actor=city_user)
    agency_list_publish(year=2026, actor=city_user, note="调整")
    anonymous = Client()
    latest = anonymous.get("/reviews/agencies/list/?year=2026").content.decode()
    assert "第2版" in latest and "屡改屡犯" in latest and "清除" in latest
    first = anonymous.get("/reviews/agencies/list/?year=2026&edition=1").content.decode()
    assert "年初名单" in first and "屡改屡犯" not in first
    download = anonymous.get("/reviews/agencies/list.xlsx?year=2026&edition=2")
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_a_removed_agencys_open_assignments_are_listed_for_its_county(
    agency, firm, county_user, city_user, make_user, fushan
):
    review_in(agency, firm, 2026)
    agency_standing_decide(agency=agency, decision="remove", reason="屡改屡犯", actor=city_user)
    assert firm.name in client_for(county_user).get("/reviews/agencies/reassign/").content.decode()
    elsewhere = make_user(role="county", county=fushan)
    assert (
        firm.name not in client_for(elsewhere).get("/reviews/agencies/reassign/").content.decode()
    )
    assert ReviewAgency.objects.get(pk=agency.pk).standing == "removed"


def test_the_city_records_the_follow_up_on_the_agency_page(agency, city_user):
    import datetime as dt

    from django.utils import timezone

    agency_standing_decide(
        agency=agency, decision="order_rectification", reason="重收费、轻服务", actor=city_user,
        problem="fees", requirements="退还多收费用",
        deadline=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    warning = agency.warnings.get()
    client = client_for(city_user)
    assert (
        f"/reviews/agencies/warnings/{warning.pk}/"
        in client.get(f"/reviews/agencies/{agency.pk}/").content.decode()
    )
    client.post(
        f"/reviews/agencies/warnings/{warning.pk}/",
        {"rectified": "1", "note": "已退还", "version": warning.version},
    )
    assert ReviewAgency.objects.get(pk=agency.pk).standing == "registered"

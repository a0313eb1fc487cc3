"""The enforcement pages through the test client: a county inspects a refuser on the five
points, fines at the upper limit, prints the record, follows up and closes; the firm's page
shows that it refuses."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from enforcement.choices import CaseStatus, CheckPoint, Finding
from enforcement.models import Case, Inspection, PenaltyDecision

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inspection_post(**overrides) -> dict:
    data = {
        "inspected_on": "2016-04-10", "place": "生产车间", "firm_present": "张三",
        "inspector_1": "王建国", "certificate_1": "37060010001",
        "inspector_2": "李明", "certificate_2": "37060010002",
    }  # fmt: skip
    for point in CheckPoint:
        data[f"finding_{point}"] = Finding.CONFORMS
        data[f"evidence_{point}"] = f"查阅{point.label}"
    data["finding_training"] = Finding.VIOLATION
    data.update(overrides)
    return data


def test_the_firms_page_says_it_refuses(refusal, county_user):
    page = client_for(county_user).get(refusal.enterprise.get_absolute_url())
    assert "拒不创建" in page.content.decode() and refusal.notice_no in page.content.decode()


def test_a_county_walks_a_case_from_inspection_to_closing(case, county_user, bases):
    client = client_for(county_user)
    page = client.post(reverse("enforcement:inspection_record", args=[case.pk]), inspection_post())
    assert page.status_code == 302
    client.post(
        reverse("enforcement:violation_add", args=[case.pk]),
        {"basis": bases["AQFA2014-94-4"].pk, "facts": "培训记录缺失"},
    )
    client.post(
        reverse("enforcement:case_order", args=[case.pk]),
        {"order_no": "责改1号", "ordered_on": "2016-04-12", "rectify_by": "2016-05-12"},
    )
    detail = client.get(case.get_absolute_url()).content.decode()
    assert 'value="50000' in detail  # the fine's field starts at the upper limit
    client.post(
        reverse("enforcement:case_decide", args=[case.pk]),
        {"number": "罚1号", "decided_on": "2016-04-20", "amount": "50000"},
    )
    assert PenaltyDecision.objects.get(case=case).at_upper_limit
    printed = client.get(reverse("enforcement:inspection_print", args=[case.inspection.pk]))
    assert "现场检查记录" in printed.content.decode() and "37060010002" in printed.content.decode()
    client.post(
        reverse("enforcement:case_follow_up", args=[case.pk]),
        {"followed_up_on": "2016-05-13", "result": "corrected", "note": "已改正"},
    )
    client.post(reverse("enforcement:case_close", args=[case.pk]), {"closed_on": "2016-05-20"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_an_inspection_missing_a_point_is_shown_again_with_the_reason(case, county_user):
    data = inspection_post(evidence_occupational="")
    page = client_for(county_user).post(
        reverse("enforcement:inspection_record", args=[case.pk]), data
    )
    assert page.status_code == 200 and not Inspection.objects.exists()


def test_a_lower_fine_without_a_reason_is_refused_on_the_page(ordered, county_user):
    client = client_for(county_user)
    page = client.post(
        reverse("enforcement:case_decide", args=[ordered.pk]),
        {"number": "罚1号", "decided_on": "2016-04-20", "amount": "10000"},
        follow=True,
    )
    assert "须记录理由" in page.content.decode()
    assert not PenaltyDecision.objects.exists()


def test_the_city_reads_the_lists_but_cannot_inspect(case, city_user):
    client = client_for(city_user)
    assert client.get(reverse("enforcement:case_list")).status_code == 200
    assert client.get(reverse("enforcement:refuser_list")).status_code == 200
    assert client.get(reverse("enforcement:inspection_record", args=[case.pk])).status_code == 403


def test_the_case_list_reads_in_a_fixed_number_of_queries(
    decided, county_user, django_assert_max_num_queries
):
    client = client_for(county_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("enforcement:case_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("enforcement:refuser_list")).status_code == 200


def test_dates_read_as_chinese_dates(decided, county_user):
    page = client_for(county_user).get(decided.get_absolute_url()).content.decode()
    assert (
        "2016年5月12日" in page and dt.date(2016, 5, 12).isoformat() not in page.split("<form")[0]
    )

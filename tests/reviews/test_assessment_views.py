# ruff: noqa: F811 - fixtures are imported from tests.reviews.fixtures_assessment
"""The self-assessment pages: who may read and write them, the page flow, query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reviews.choices import AssessmentStatus
from reviews.models import Evidence
from reviews.selectors.assessment import assessment_lines
from reviews.services.assessment import evidence_add
from tests.access import assert_access
from tests.reviews.fixtures_assessment import (  # noqa: F401
    PDF,
    assessment,
    assigned_agency_user,
    graded_assessment,
    listed_firm,
    other_county_user,
    other_firm_user,
    standards,
    unassigned_agency_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def readers(enterprise_user, county_user, city_user, assigned_agency_user):
    return [enterprise_user, county_user, city_user, assigned_agency_user]


@pytest.fixture
def outsiders(other_firm_user, other_county_user, unassigned_agency_user):
    return [other_firm_user, other_county_user, unassigned_agency_user]


def page_data(assessment, changes=None, **extra):
    """The form as the page would post it, with ``changes`` by item code."""
    data = {"version": assessment.version, "guide_agency": "", "guide_expert": ""}
    for line in assessment_lines(assessment):
        deducted, na, reason = (changes or {}).get(line.item.code, ("0", False, ""))
        data[f"line-{line.pk}-deducted"] = deducted
        data[f"line-{line.pk}-reason"] = reason
        if na:
            data[f"line-{line.pk}-not_applicable"] = "on"
    return {**data, **extra}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_everyone_signed_in_sees_the_list_of_assessments_in_their_scope(readers, outsiders):
    expected = {None: 302, **dict.fromkeys(readers + outsiders, 200)}
    assert_access(reverse("reviews:assessment_list"), expected)


def test_only_enterprise_users_start_an_assessment(
    standards, listed_firm, enterprise_user, county_user, city_user, agency_user
):
    url = reverse("reviews:assessment_start")
    assert_access(
        url, {None: 302, county_user: 403, city_user: 403, agency_user: 403}, method="post"
    )
    assert_access(url, {enterprise_user: 302}, method="post")
    assert listed_firm.self_assessments.count() == 1


def test_the_assessment_and_its_report_are_read_by_the_firm_its_county_the_city_and_its_agency(
    assessment, readers, outsiders
):
    for name in ("reviews:assessment_detail", "reviews:assessment_report"):
        url = reverse(name, args=[assessment.pk])
        assert_access(
            url, {None: 302, **dict.fromkeys(readers, 200), **dict.fromkeys(outsiders, 404)}
        )


def test_only_the_firms_own_users_write_the_assessment(
    assessment, county_user, city_user, assigned_agency_user, outsiders, enterprise_user
):
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    data = page_data(assessment)
    expected = {None: 302, county_user: 403, city_user: 403, assigned_agency_user: 403}
    assert_access(url, {**expected, **dict.fromkeys(outsiders, 404)}, method="post", data=data)
    assert_access(url, {enterprise_user: 302}, method="post", data=data)


def test_the_page_saves_a_draft_and_submits_it(assessment, enterprise_user, agency):
    client = client_for(enterprise_user)
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    changes = {"1.2": ("4", False, "未配备安全管理人员"), "4.8": ("0", True, "无职业病危害")}
    response = client.post(url, page_data(assessment, changes, guide_agency=agency.pk))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.guide_agency == agency
    response = client.post(url, page_data(assessment, changes, action="submit"), follow=True)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.score == Decimal("99.6")  # 988 of 992 applicable points
    assert "自评已提交" in response.content.decode()


def test_submitting_without_reasons_keeps_the_draft_and_says_which_items(
    assessment, enterprise_user
):
    client = client_for(enterprise_user)
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    response = client.post(
        url, page_data(assessment, {"2.2": ("1", False, "")}, action="submit"), follow=True
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert "2.2：未得满分的项目必须填写扣分理由" in response.content.decode()


def test_a_deduction_above_the_points_is_shown_on_its_item(assessment, enterprise_user):
    client = client_for(enterprise_user)
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    response = client.post(url, page_data(assessment, {"1.5": ("7", False, "未检查")}))
    assert response.status_code == 400
    assert "扣分不能超过该项标准分值 6.0 分" in response.content.decode()


def test_a_stale_tab_is_refused_and_the_earlier_save_is_kept(assessment, enterprise_user):
    client = client_for(enterprise_user)
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    first = page_data(assessment, {"1.1": ("1", False, "第一个标签页")})
    second = page_data(assessment, {"1.1": ("2", False, "第二个标签页")})
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert assessment.lines.get(item__code="1.1").reason == "第一个标签页"


def test_a_submitted_assessment_shows_no_form(assessment, enterprise_user):
    client = client_for(enterprise_user)
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    client.post(url, page_data(assessment, action="submit"))
    response = client.get(url)
    assert 'id="assessment-form"' not in response.content.decode()
    assert client.post(url, page_data(assessment)).status_code == 302


@pytest.mark.parametrize("fixture", ["assessment", "graded_assessment"])
def test_the_assessment_page_takes_a_fixed_number_of_queries(
    request, fixture, enterprise_user, django_assert_max_num_queries
):
    # 135 contents (small/micro) or 143 (机械), each with evidence: the count does not grow.
    found = request.getfixturevalue(fixture)
    assessment, user = found if isinstance(found, tuple) else (found, enterprise_user)
    for line in assessment_lines(assessment):
        evidence_add(line=line, actor=user, upload=SimpleUploadedFile("a.pdf", PDF))
    client = client_for(user)
    url = reverse("reviews:assessment_detail", args=[assessment.pk])
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("reviews:assessment_report", args=[assessment.pk])).status_code
            == 200
        )


def test_the_printable_report_has_the_firm_the_standard_the_totals_and_signature_lines(
    assessment, county_user
):
    response = client_for(county_user).get(
        reverse("reviews:assessment_report", args=[assessment.pk])
    )
    html = response.content.decode()
    for text in ("安全生产标准化自评报告", assessment.enterprise.name, "SD-XW", "2016版"):
        assert text in html
    for text in (
        "隐患排查和治理",
        "风险辨识与预测预警",  # a second-level project heads its contents
        "企业主要负责人（签字）",
        "data-print",
        "（草稿，尚未提交）",
    ):
        assert text in html


# --- Evidence ----------------------------------------------------------------------------


def test_only_the_firms_own_users_upload_evidence(
    assessment, county_user, city_user, assigned_agency_user, outsiders, enterprise_user
):
    line = assessment.lines.get(item__code="1.1")
    url = reverse("reviews:assessment_evidence_upload", args=[assessment.pk, line.pk])
    expected = {None: 302, county_user: 403, city_user: 403, assigned_agency_user: 403}
    assert_access(url, {**expected, **dict.fromkeys(outsiders, 404)}, method="post")
    response = client_for(enterprise_user).post(url, {"file": SimpleUploadedFile("目标.pdf", PDF)})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{line.pk}")
    assert line.evidence.get().original_name == "目标.pdf"


def test_evidence_that_is_not_an_allowed_file_is_refused_on_the_page(assessment, enterprise_user):
    line = assessment.lines.get(item__code="1.1")
    url = reverse("reviews:assessment_evidence_upload", args=[assessment.pk, line.pk])
    upload = SimpleUploadedFile("病毒.pdf", b"#!/bin/sh\necho hi\n")
    response = client_for(enterprise_user).post(url, {"file": upload}, follow=True)
    assert "1.1：文件“病毒.pdf”的内容不是允许的类型" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_is_downloaded_by_readers_and_deleted_by_the_firm_only(
    assessment, enterprise_user, readers, outsiders, county_user
):
    line = assessment.lines.get(item__code="1.1")
    evidence = evidence_add(
        line=line, actor=enterprise_user, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    download = reverse("reviews:evidence_download", args=[evidence.pk])
    assert_access(
        download, {None: 302, **dict.fromkeys(readers, 200), **dict.fromkeys(outsiders, 404)}
    )
    delete = reverse("reviews:assessment_evidence_delete", args=[evidence.pk])
    assert_access(delete, {county_user: 403, **dict.fromkeys(outsiders, 404)}, method="post")
    assert_access(delete, {enterprise_user: 302}, method="post")
    assert not Evidence.objects.exists()


def test_the_county_list_of_assessments_takes_a_fixed_number_of_queries(
    standards, make_enterprise, make_user, county_user, django_assert_max_num_queries
):
    from enterprises.choices import Status
    from reviews.services.assessment import assessment_start

    for _ in range(6):
        firm = make_enterprise(status=Status.LISTED)
        user = make_user(role="enterprise", enterprise=firm)
        assessment_start(enterprise=firm, actor=user)
    client = client_for(county_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reviews:assessment_list"))
    assert len(response.context["page_obj"]) == 6


@pytest.mark.parametrize("url_name", ["reviews:evidence_download"])
def test_an_evidence_file_gone_from_disk_is_a_404_that_says_so(
    assessment, enterprise_user, settings, url_name
):
    settings.DEBUG = False
    line = assessment.lines.get(item__code="1.1")
    evidence = evidence_add(
        line=line, actor=enterprise_user, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    evidence.file.storage.delete(evidence.file.name)
    client = client_for(enterprise_user)
    client.raise_request_exception = False
    response = client.get(reverse(url_name, args=[evidence.pk]))
    assert response.status_code == 404
    assert "文件已不在服务器上" in response.content.decode()


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf(assessment, enterprise_user):
    line = assessment.lines.get(item__code="1.1")
    upload = SimpleUploadedFile("page.html", PDF, content_type="text/html")
    evidence = evidence_add(line=line, actor=enterprise_user, upload=upload)
    assert evidence.original_name == "page.pdf" and evidence.file.name.endswith(".pdf")
    response = client_for(enterprise_user).get(
        reverse("reviews:evidence_download", args=[evidence.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert "page.pdf" in response["Content-Disposition"]

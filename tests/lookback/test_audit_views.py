import pytest

from lookback.models import AuditRound
from lookback.services import audit_start
from tests.access import assert_access
from tests.lookback.samples import audit_sample

from .test_audit import passes  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(passes, zhifu, city_user):  # noqa: F811
    return audit_start(
        county=zhifu,
        year=2016,
        actor=city_user,
        sample=audit_sample(zhifu, 2016),
        draw_number="2016-001",
    )


@pytest.fixture
def fushan_user(make_user, fushan):
    return make_user(role="county", county=fushan)


def test_audit_pages_permission_matrix(
    audit, city_user, county_user, fushan_user, enterprise_user, agency_user
):
    assert_access(
        "/lookback/audits/",
        {None: 302, city_user: 200, county_user: 200, enterprise_user: 403, agency_user: 403},
    )
    assert_access(
        audit.get_absolute_url(),
        {city_user: 200, county_user: 200, fushan_user: 404, enterprise_user: 404},
    )
    finding = audit.findings.first()
    assert_access(f"/lookback/findings/{finding.pk}/", {county_user: 403}, method="post")
    assert_access(f"/lookback/audits/{audit.pk}/close/", {county_user: 403}, method="post")


def test_the_city_records_and_closes_through_the_pages(client, audit, city_user):
    client.force_login(city_user)
    for finding in audit.findings.all():
        prefix = f"f{finding.pk}"
        response = client.post(
            f"/lookback/findings/{finding.pk}/",
            {
                f"{prefix}-audited_result": "",
                f"{prefix}-audited_score": "50",
                f"{prefix}-note": "未运行",
            },
        )
        assert response.status_code == 302
    audit.refresh_from_db()  # the page the city closes from shows every recorded result
    client.post(f"/lookback/audits/{audit.pk}/close/", {"version": audit.version})
    audit = AuditRound.objects.get()
    assert audit.status == "closed" and audit.requires_re_review
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "须重新评审" in page and "/integrity/public/draws/2016-001/" in page


def test_the_freeze_form_refuses_a_county_without_passes(client, city_user, fushan):
    client.force_login(city_user)
    response = client.post(
        "/integrity/draws/freeze/",
        {
            "kind": "audit",
            "county": fushan.pk,
            "year": 2016,
            "size": 3,
            "public_value_source": "双色球",
            "public_value_date": "2099-01-01",
        },
        follow=True,
    )
    assert "没有达标企业" in response.content.decode()


def test_audit_detail_query_count(client, audit, city_user, django_assert_max_num_queries):
    client.force_login(city_user)
    with django_assert_max_num_queries(10):
        assert client.get(audit.get_absolute_url()).status_code == 200


def test_a_bad_start_form_says_which_field_is_wrong(client, city_user, zhifu):
    client.force_login(city_user)
    response = client.post(
        "/integrity/draws/freeze/",
        {"kind": "audit", "county": zhifu.pk, "year": "二〇一六", "size": 3},
        follow=True,
    )
    assert "年度：" in response.content.decode()


def test_the_audit_page_offers_what_the_round_allows(client, audit, city_user, county_user):
    close, redraw = f"/lookback/audits/{audit.pk}/close/", "重新抽取（须说明理由）"
    client.force_login(county_user)
    body = client.get(audit.get_absolute_url()).content.decode()
    assert close not in body and redraw not in body and "/lookback/findings/" not in body
    client.force_login(city_user)
    body = client.get(audit.get_absolute_url()).content.decode()
    assert redraw in body and close not in body and "全部抽查企业录入审核结果后" in body
    for finding in audit.findings.all():
        prefix = f"f{finding.pk}"
        client.post(f"/lookback/findings/{finding.pk}/", {f"{prefix}-audited_result": "pass"})
    body = client.get(audit.get_absolute_url()).content.decode()
    assert close in body and redraw not in body


def test_closing_a_closed_round_again_is_refused_on_the_page(client, audit, city_user):
    client.force_login(city_user)
    for finding in audit.findings.all():
        prefix = f"f{finding.pk}"
        client.post(f"/lookback/findings/{finding.pk}/", {f"{prefix}-audited_result": "pass"})
    audit.refresh_from_db()
    client.post(f"/lookback/audits/{audit.pk}/close/", {"version": audit.version})
    response = client.post(
        f"/lookback/audits/{audit.pk}/close/", {"version": audit.version}, follow=True
    )
    assert "当前状态为“已完成”，不能完成抽查审核" in response.content.decode()
    assert AuditRound.objects.get().version == audit.version + 1

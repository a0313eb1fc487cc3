"""County confirmation, certificates, revocation and expiry, read like the notice's rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade, Status
from portal.audit import history_for
from portal.statemachine import TransitionRefused
from reviews.choices import ReviewStatus
from reviews.models import Certificate
from reviews.selectors.announcements import certificates_due_for_re_review
from reviews.services.certificates import (
    RevokeSource,
    certificate_revoke,
    expire_grades,
    review_confirm,
)
from reviews.tasks import expire_grades_task
from tests.access import assert_access
from tests.reviews.factories_announcements import concluded_review, confirmed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def fushan_user(make_user, fushan):
    return make_user(role="county", county=fushan)


# --- Confirmation ---------------------------------------------------------------------------


def test_confirming_a_pass_issues_a_certificate_valid_three_years(firm, county_user):
    review = concluded_review(firm, result=Grade.PASS)
    certificate = review_confirm(review=review, actor=county_user, issued_on=dt.date(2016, 6, 30))
    assert certificate.number == "烟37060220160001"
    assert certificate.valid_until == dt.date(2019, 6, 29)
    firm.refresh_from_db()
    review.refresh_from_db()
    assert firm.status == Status.CONFIRMED
    assert (firm.grade, firm.certificate_no) == (Grade.PASS, certificate.number)
    assert (firm.grade_valid_from, firm.grade_valid_until) == (
        dt.date(2016, 6, 30),
        dt.date(2019, 6, 29),
    )
    assert review.status == ReviewStatus.CONFIRMED and review.confirmed_at
    actions = [entry.action for entry in history_for(firm)]
    assert "确认评审结论" in actions and "取得等级" in actions
    grade_entry = next(e for e in history_for(firm) if e.action == "取得等级")
    assert grade_entry.changes["grade"] == ["", "达标"]


def test_certificate_numbers_are_unique_and_count_up_per_county_and_year(
    make_enterprise, county_user, zhifu
):
    numbers = []
    for _ in range(3):
        review = concluded_review(make_enterprise(county=zhifu))
        numbers.append(
            review_confirm(review=review, actor=county_user, issued_on=dt.date(2016, 9, 1)).number
        )
    review = concluded_review(make_enterprise(county=zhifu))
    next_year = review_confirm(review=review, actor=county_user, issued_on=dt.date(2017, 1, 3))
    assert numbers == ["烟37060220160001", "烟37060220160002", "烟37060220160003"]
    assert next_year.number == "烟37060220170001"
    assert Certificate.objects.values("number").distinct().count() == 4


def test_a_failing_result_is_confirmed_as_such_and_the_firm_returns_to_self_assessment(
    firm, county_user
):
    review = concluded_review(firm, result="", score="55.0")
    assert review_confirm(review=review, actor=county_user) is None
    firm.refresh_from_db()
    assert firm.status == Status.SELF_ASSESSING
    assert firm.grade == "" and not Certificate.objects.exists()
    entry = next(e for e in history_for(firm) if e.action == "确认评审结论：未达标")
    assert entry.changes["status"] == ["评审已结论", "自评中"]


def test_a_review_is_confirmed_once(firm, county_user):
    review = concluded_review(firm)
    review_confirm(review=review, actor=county_user)
    with pytest.raises(TransitionRefused, match="不能确认评审结论（仅在已出结论时可以）"):
        review_confirm(review=review, actor=county_user)


def test_county_staff_cannot_confirm_another_countys_review(firm, fushan_user):
    with pytest.raises(PermissionDenied):
        review_confirm(review=concluded_review(firm), actor=fushan_user)


@pytest.mark.parametrize("role", ["city", "enterprise", "agency"])
def test_only_county_staff_confirm(role, firm, make_user, agency):
    binding = {"enterprise": {"enterprise": firm}, "agency": {"agency": agency}}.get(role, {})
    with pytest.raises(PermissionDenied):
        review_confirm(review=concluded_review(firm), actor=make_user(role=role, **binding))


# --- Revocation -----------------------------------------------------------------------------


def test_revocation_needs_a_reason(firm, city_user):
    certificate = confirmed_certificate(firm)
    with pytest.raises(ValidationError, match="必须填写理由"):
        certificate_revoke(
            certificate=certificate, actor=city_user, reason="  ", source=RevokeSource.LOOKBACK
        )
    firm.refresh_from_db()
    assert firm.status == Status.CONFIRMED


@pytest.mark.parametrize("who", ["city_user", "county_user"])
def test_city_or_county_revokes_a_grade_with_reason_and_source_kept_in_history(who, request, firm):
    actor = request.getfixturevalue(who)
    certificate = confirmed_certificate(firm, status=Status.ANNOUNCED)
    certificate_revoke(
        certificate=certificate,
        actor=actor,
        reason="回头看抽查发现安全管理体系未运行",
        source=RevokeSource.LOOKBACK,
    )
    certificate.refresh_from_db()
    firm.refresh_from_db()
    assert certificate.revoked_at and certificate.revoke_source == "回头看抽查"
    assert firm.status == Status.REVOKED
    assert (firm.grade, firm.certificate_no, firm.grade_valid_until) == ("", "", None)
    revoked = next(e for e in history_for(firm) if e.action == "撤销等级" and "status" in e.changes)
    assert revoked.changes["status"] == ["已公告达标", "已撤销"]
    assert "回头看抽查发现安全管理体系未运行" in revoked.note
    assert revoked.actor == actor
    cleared = next(e for e in history_for(firm) if e.action == "撤销等级" and "grade" in e.changes)
    assert cleared.changes["grade"] == ["达标", ""]


def test_revocation_is_refused_to_firms_agencies_and_other_counties(
    firm, enterprise_user, agency_user, fushan_user
):
    certificate = confirmed_certificate(firm)
    for actor in (enterprise_user, agency_user, fushan_user):
        with pytest.raises(PermissionDenied):
            certificate_revoke(
                certificate=certificate, actor=actor, reason="x", source=RevokeSource.OTHER
            )


def test_a_revoked_certificate_cannot_be_revoked_again(firm, city_user):
    certificate = confirmed_certificate(firm)
    certificate_revoke(certificate=certificate, actor=city_user, reason="x", source="其他")
    with pytest.raises(TransitionRefused, match="已被撤销"):
        certificate_revoke(certificate=certificate, actor=city_user, reason="x", source="其他")


# --- Expiry ---------------------------------------------------------------------------------


def test_a_grade_is_still_valid_on_its_last_day_and_expires_the_day_after(firm):
    certificate = confirmed_certificate(firm, issued_on=dt.date(2016, 6, 30))
    assert certificate.valid_until == dt.date(2019, 6, 29)
    assert expire_grades(today=dt.date(2019, 6, 29)) == 0
    firm.refresh_from_db()
    assert firm.status == Status.CONFIRMED
    assert expire_grades(today=dt.date(2019, 6, 30)) == 1
    firm.refresh_from_db()
    assert firm.status == Status.EXPIRED and firm.grade == ""
    entry = next(e for e in history_for(firm) if e.action == "等级到期" and "status" in e.changes)
    assert entry.actor is None and entry.changes["status"] == ["已确认", "已过期"]


def test_the_expiry_job_run_twice_changes_nothing_the_second_time(firm):
    confirmed_certificate(firm, issued_on=dt.date(2016, 6, 30), status=Status.ANNOUNCED)
    assert expire_grades(today=dt.date(2020, 1, 1)) == 1
    entries = history_for(firm).count()
    assert expire_grades(today=dt.date(2020, 1, 1)) == 0
    assert history_for(firm).count() == entries


def test_the_daily_task_and_the_command_expire_grades(firm, make_enterprise, capsys):
    confirmed_certificate(firm, issued_on=dt.date(2010, 1, 1))
    assert expire_grades_task.delay().get() == 1
    other = make_enterprise()
    confirmed_certificate(other, issued_on=dt.date(2016, 6, 30))
    call_command("expire_grades", date="2019-06-29")
    other.refresh_from_db()
    assert other.status == Status.CONFIRMED
    call_command("expire_grades", date="2019-06-30")
    other.refresh_from_db()
    assert other.status == Status.EXPIRED
    assert "1 家企业已标记为已过期" in capsys.readouterr().out


def test_the_expiry_job_is_on_the_beat_schedule_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-grades"]
    assert entry["task"] == "reviews.tasks.expire_grades"
    assert entry["options"]["expires"] > 0


def test_certificates_in_their_last_three_months_are_listed_for_re_review(
    make_enterprise, county_user
):
    due = confirmed_certificate(make_enterprise(), issued_on=dt.date(2016, 6, 30))  # → 2019-06-29
    later = confirmed_certificate(make_enterprise(), issued_on=dt.date(2016, 7, 1))  # → 2019-06-30
    listed = certificates_due_for_re_review(user=county_user, today=dt.date(2019, 3, 29))
    assert list(listed) == [due]
    listed = certificates_due_for_re_review(user=county_user, today=dt.date(2019, 3, 30))
    assert list(listed) == [due, later]
    assert not certificates_due_for_re_review(user=county_user, today=dt.date(2019, 3, 28))


# --- Pages ----------------------------------------------------------------------------------


def test_permission_matrix_of_the_confirmation_pages(
    firm, city_user, county_user, fushan_user, enterprise_user, agency_user, client
):
    url = reverse("reviews:confirmation_list")
    assert_access(
        url,
        {None: 302, county_user: 200, city_user: 200, enterprise_user: 403, agency_user: 403},
    )
    review = concluded_review(firm)
    url = reverse("reviews:confirm_review", args=[review.pk])
    # The review is fetched in scope first: an agency not assigned to it does not see it (404).
    assert_access(
        url,
        {None: 302, city_user: 403, enterprise_user: 403, agency_user: 404, fushan_user: 404},
        method="post",
    )
    review.refresh_from_db()
    assert_access(url, {county_user: 302}, method="post", data={"version": review.version})
    firm.refresh_from_db()
    assert firm.status == Status.CONFIRMED


def test_the_confirmation_list_shows_the_countys_conclusions(
    firm, county_user, client, django_assert_max_num_queries, make_enterprise, fushan
):
    concluded_review(firm)
    concluded_review(make_enterprise(county=fushan, name="福山某公司"))
    for _ in range(5):
        concluded_review(make_enterprise())
    client.force_login(county_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reviews:confirmation_list"))
    assert firm.name in response.text and "福山某公司" not in response.text


def test_permission_matrix_of_certificate_pages(
    firm, city_user, county_user, fushan_user, enterprise_user, agency_user, make_user
):
    certificate = confirmed_certificate(firm)
    other_firm_user = make_user(
        role="enterprise",
        enterprise=confirmed_certificate(
            __import__("tests.factories", fromlist=["EnterpriseFactory"]).EnterpriseFactory(
                county=firm.county, industry=firm.industry
            )
        ).enterprise,
    )
    detail = reverse("reviews:certificate_detail", args=[certificate.pk])
    assert_access(
        detail,
        {
            None: 302,
            city_user: 200,
            county_user: 200,
            enterprise_user: 200,
            fushan_user: 404,
            other_firm_user: 404,
            agency_user: 404,
        },
    )
    for name in ("reviews:certificate_list", "reviews:re_review_due"):
        assert_access(
            reverse(name),
            {
                None: 302,
                city_user: 200,
                county_user: 200,
                fushan_user: 200,
                enterprise_user: 403,
                agency_user: 403,
            },
        )
    revoke = reverse("reviews:certificate_revoke", args=[certificate.pk])
    data = {"source": "其他", "reason": "测试撤销"}
    assert_access(
        revoke,
        # The certificate is fetched in scope first: no agency sees it (404, as on its page).
        {None: 302, enterprise_user: 403, agency_user: 404, fushan_user: 404},
        method="post",
        data=data,
    )
    assert_access(revoke, {county_user: 302}, method="post", data=data)
    certificate.refresh_from_db()
    assert certificate.revoked_at


def test_the_certificate_page_shows_the_revocation_and_asks_before_revoking(
    firm, city_user, client
):
    certificate = confirmed_certificate(firm)
    client.force_login(city_user)
    page = client.get(reverse("reviews:certificate_detail", args=[certificate.pk])).text
    assert "data-confirm" in page and "撤销等级" in page
    response = client.post(
        reverse("reviews:certificate_revoke", args=[certificate.pk]), {"source": "抽查审核"}
    )
    certificate.refresh_from_db()
    assert not certificate.revoked_at  # no reason, no revocation
    client.post(
        reverse("reviews:certificate_revoke", args=[certificate.pk]),
        {"source": "抽查审核", "reason": "抽查审核结果不达标"},
    )
    response = client.get(reverse("reviews:certificate_detail", args=[certificate.pk]))
    assert "抽查审核结果不达标" in response.text and "已撤销" in response.text
    firm_page = client.get(firm.get_absolute_url()).text
    assert "已撤销" in firm_page and "抽查审核结果不达标" in firm_page


def test_certificate_list_query_count_is_constant(
    make_enterprise, city_user, client, django_assert_max_num_queries
):
    for _ in range(12):
        confirmed_certificate(make_enterprise())
    client.force_login(city_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reviews:certificate_list"))
    assert response.status_code == 200


def test_the_expiry_job_works_through_more_firms_than_one_batch(make_enterprise, monkeypatch):
    from reviews.services import certificates

    monkeypatch.setattr(certificates, "EXPIRY_BATCH", 2)
    firms = [make_enterprise() for _ in range(5)]
    for firm in firms:
        confirmed_certificate(firm, issued_on=dt.date(2016, 6, 30))
    assert expire_grades(today=dt.date(2019, 6, 30)) == 5
    statuses = set(
        type(firms[0]).objects.filter(pk__in=[f.pk for f in firms]).values_list("status", flat=True)
    )
    assert statuses == {Status.EXPIRED}


# --- Validity computed from the certificate's dates -------------------------------------------


def test_a_certificate_past_its_end_date_never_reads_valid_before_the_nightly_job(
    firm, county_user, client
):
    from tests.reviews.factories_announcements import confirmed_certificate

    certificate = confirmed_certificate(firm, issued_on=dt.date(2016, 6, 30))  # until 2019
    assert firm.status == Status.CONFIRMED  # the nightly job has not expired it
    assert certificate.validity_on(dt.date(2019, 6, 29)) == "有效"
    assert certificate.validity_on(dt.date(2019, 6, 30)) == "已过期"
    client.force_login(county_user)
    for url in (
        reverse("reviews:certificate_list"),
        reverse("reviews:certificate_detail", args=[certificate.pk]),
        reverse("reviews:certificate_print", args=[certificate.pk]),
        firm.get_absolute_url(),
    ):
        page = client.get(url).text
        assert "已过期" in page and ">有效<" not in page, url


def test_the_printed_certificate_names_issuer_firm_industry_grade_number_and_dates(
    firm, county_user, client
):
    from tests.reviews.factories_announcements import confirmed_certificate

    today = timezone.localdate()
    certificate = confirmed_certificate(firm, issued_on=today)
    client.force_login(county_user)
    page = client.get(reverse("reviews:certificate_print", args=[certificate.pk])).text
    for expected in (
        firm.county.supervisor,
        firm.name,
        firm.industry.name,
        "达标",
        certificate.number,
        f"{today.year}年{today.month}月{today.day}日",
        "有效期至",
    ):
        assert expected in page, expected
    assert "不能作为有效证明" not in page


def test_the_expiry_job_costs_the_same_queries_for_few_firms_and_many(make_enterprise):
    """One locking SELECT, one UPDATE and one history insert per batch, whatever its size."""
    from reviews.services import certificates

    def expired_firms(n: int) -> list:
        return [
            make_enterprise(
                status=Status.ANNOUNCED,
                grade="",
                certificate_no=f"烟{n}{i:05d}",
                grade_valid_from=dt.date(2013, 1, 1),
                grade_valid_until=dt.date(2015, 12, 31),
            )
            for i in range(n)
        ]

    def queries_to_expire(firms: list) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert expire_grades(today=dt.date(2016, 1, 1)) == len(firms)
        return len(captured.captured_queries)

    few = queries_to_expire(expired_firms(2))
    many = queries_to_expire(firms := expired_firms(40))
    assert few == many
    firm = firms[-1]
    firm.refresh_from_db()
    assert (firm.status, firm.certificate_no, firm.grade_valid_until) == (Status.EXPIRED, "", None)
    assert {e.note for e in history_for(firm)} == {"等级有效期至2015-12-31，已到期"}
    assert certificates.EXPIRY_BATCH >= 40

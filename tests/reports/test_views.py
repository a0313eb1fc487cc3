"""Every page's permission matrix, the flows through the pages, and pinned query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports.choices import SubmissionStatus, TargetStatus
from reports.services import submissions, targets
from reports.services.progress import build_progress_report
from tests.access import assert_access

from .conftest import PDF

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def users(city_user, county_staff, fushan_user, enterprise_user, agency_user, make_user):
    return {
        "city": city_user, "county": county_staff, "other_county": fushan_user,
        "enterprise": enterprise_user, "agency": agency_user,
        "admin": make_user(role="admin"),
    }  # fmt: skip


def matrix(users, **codes):
    """anonymous → login; enterprise and agency → 403 unless stated; the rest as given."""
    expected = {None: 302, users["enterprise"]: 403, users["agency"]: 403}
    expected.update({users[name]: code for name, code in codes.items()})
    return expected


def row_matrix(users, **codes):
    """A page on one county's row: fetched in scope first, so firms and agencies, who see no
    county's rows, and other counties get 404; the rest as given."""
    return matrix(users, enterprise=404, agency=404, other_county=404, **codes)


@pytest.fixture
def submitted_target(county_staff, zhifu):
    target = targets.target_save(
        actor=county_staff, county=zhifu, year=2016, listed_count=10,
        milestones=[(D(2016, 12, 31), 5)],
    )  # fmt: skip
    return targets.target_submit(actor=county_staff, target=target)


@pytest.fixture
def snapshot(deadlines):
    return build_progress_report(today=D(2016, 6, 6))


# --- Permission matrices ------------------------------------------------------------------


def test_dashboard_is_for_the_city(users):
    expected = matrix(users, city=200, admin=200, county=403, other_county=403)
    assert_access(reverse("reports:dashboard"), expected)


@pytest.mark.parametrize("name", ["reports:targets", "reports:submissions", "reports:snapshots"])
def test_lists_are_for_city_and_counties(users, deadlines, name):
    assert_access(reverse(name), matrix(users, city=200, county=200, other_county=200))


def test_evaluation_pages_are_for_the_city(users, deadlines):
    for name in ("reports:evaluation", "reports:evaluation_xlsx"):
        assert_access(reverse(name), matrix(users, city=200, county=403, other_county=403))
    assert_access(
        reverse("reports:evaluation_weights"),
        matrix(users, city=302, county=403, other_county=403), method="post",
        data={"targets_met": "50", "timeliness": "50"},
    )  # fmt: skip


def test_target_edit_is_for_county_staff(users):
    url = reverse("reports:target_edit", args=[2016])
    assert_access(url, matrix(users, city=403, county=200, other_county=200))


def test_target_detail_is_seen_by_the_city_and_its_own_county(users, submitted_target):
    url = reverse("reports:target_detail", args=[submitted_target.pk])
    assert_access(url, row_matrix(users, city=200, county=200))


def test_target_submit_is_for_its_own_county(users, county_staff, zhifu):
    target = targets.target_save(
        actor=county_staff, county=zhifu, year=2016, listed_count=10,
        milestones=[(D(2016, 12, 31), 5)],
    )  # fmt: skip
    url = reverse("reports:target_submit", args=[target.pk])
    assert_access(url, row_matrix(users, city=403, county=302), method="post")
    target.refresh_from_db()
    assert target.status == TargetStatus.SUBMITTED


def test_target_accept_and_return_are_for_the_city(users, submitted_target):
    url = reverse("reports:target_return", args=[submitted_target.pk])
    assert_access(
        url, row_matrix(users, county=403, city=302), method="post",
        data={"reason": "节点太晚"},
    )  # fmt: skip
    submitted_target.refresh_from_db()
    assert submitted_target.status == TargetStatus.RETURNED
    url = reverse("reports:target_accept", args=[submitted_target.pk])
    assert_access(url, row_matrix(users, county=403), method="post")


def test_submission_detail_is_seen_by_the_city_and_its_own_county(users, zhifu_plan):
    url = reverse("reports:submission_detail", args=[zhifu_plan.pk])
    assert_access(url, row_matrix(users, city=200, county=200))


def test_submission_upload_is_for_its_own_county(users, zhifu_plan):
    url = reverse("reports:submission_upload", args=[zhifu_plan.pk])
    assert_access(url, row_matrix(users, city=403), method="post")


def test_submission_decisions_are_for_the_city(users, zhifu_plan):
    for name in ("reports:submission_accept", "reports:submission_return"):
        url = reverse(name, args=[zhifu_plan.pk])
        assert_access(url, row_matrix(users, county=403, city=302), method="post")


def test_submission_document_is_for_the_city_and_its_own_county(users, zhifu_plan, county_staff):
    submissions.submission_upload(
        actor=county_staff, submission=zhifu_plan,
        document=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    url = reverse("reports:submission_document", args=[zhifu_plan.pk])
    assert_access(url, row_matrix(users, city=200, county=200))


def test_bulletin_and_its_export_are_for_city_and_counties(users, snapshot):
    for name in ("reports:bulletin", "reports:bulletin_xlsx"):
        url = reverse(name, args=[snapshot.pk])
        expected = matrix(users, city=200, county=200, other_county=200)
        assert_access(url, expected | {users["enterprise"]: 404, users["agency"]: 404})


def test_generating_a_snapshot_is_for_the_city(users, deadlines):
    url = reverse("reports:snapshot_generate")
    assert_access(url, matrix(users, county=403, other_county=403, city=302), method="post")


# --- Flows -----------------------------------------------------------------------------------


def test_county_uploads_through_the_page_and_the_grid_shows_it(client, county_staff, city_user,
                                                                zhifu_plan):  # fmt: skip
    client.force_login(county_staff)
    response = client.post(
        reverse("reports:submission_upload", args=[zhifu_plan.pk]),
        {"document": SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    zhifu_plan.refresh_from_db()
    assert zhifu_plan.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.LATE)
    client.force_login(city_user)
    page = client.get(reverse("reports:submissions") + "?year=2016").content.decode()
    assert "芝罘区" in page and zhifu_plan.get_status_display() in page


def test_county_enters_its_target_through_the_form(client, county_staff):
    client.force_login(county_staff)
    data = {"listed_count": "120", "version": "", "m-TOTAL_FORMS": "4", "m-INITIAL_FORMS": "0",
            "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "12",
            "m-0-due_on": "2016-06-30", "m-0-passed_count": "30",
            "m-1-due_on": "2016-12-31", "m-1-passed_count": "60"}  # fmt: skip
    response = client.post(reverse("reports:target_edit", args=[2016]), data)
    assert response.status_code == 302, response.content.decode()
    assert county_staff.county.targets.get(year=2016).year_target == 60


def test_county_sees_its_own_row_and_rank_in_the_bulletin(client, county_staff, snapshot):
    client.force_login(county_staff)
    response = client.get(reverse("reports:bulletin", args=[snapshot.pk]))
    rows = response.context["rows"]
    assert [r.county.name for r in rows] == ["芝罘区"]
    assert "排名第" in response.content.decode()


def test_city_start_page_is_the_dashboard(client, city_user):
    client.force_login(city_user)
    assert client.get("/")["Location"] == reverse("reports:dashboard")


def test_a_snapshot_request_succeeds_when_the_broker_cannot_be_reached(
    client, city_user, deadlines, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    from kombu.exceptions import OperationalError

    from reports import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_progress_report_on, "apply_async", broker_down)
    client.force_login(city_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:snapshot_generate"))
    assert response.status_code == 302
    assert "无法进入队列" in caplog.text


# --- Query counts ----------------------------------------------------------------------------


def test_dashboard_queries_do_not_grow_with_firms(client, city_user, deadlines,
                                                  django_assert_max_num_queries):  # fmt: skip
    client.force_login(city_user)
    # 25: the progress (11), the city's to-do panel (one count per queue: 公示, signals and
    # candidates among them) and the breakdowns, trend, look-back, audits and agencies
    # (reports.dashboards: a fixed few each)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("reports:dashboard") + "?year=2016").status_code == 200


def test_grid_queries_are_pinned(client, city_user, deadlines, django_assert_max_num_queries):
    client.force_login(city_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reports:submissions") + "?year=2016").status_code == 200


def test_bulletin_queries_are_pinned(client, city_user, snapshot, django_assert_max_num_queries):
    later = build_progress_report(today=D(2016, 6, 13))
    client.force_login(city_user)
    # 13: the page also lists the write-ups featured in its period (经验做法, one query) and
    # counts the year's bulletins before it for its 期号 (one query)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reports:bulletin", args=[later.pk]))
    assert response.status_code == 200 and response.context["has_movers"]


def test_a_countys_bulletin_export_holds_only_its_own_row(client, county_staff, snapshot):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(county_staff)
    response = client.get(reverse("reports:bulletin_xlsx", args=[snapshot.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["芝罘区"]


def test_pages_default_to_the_current_programme_year(client, city_user, deadlines):
    client.force_login(city_user)
    today = timezone.localdate()
    assert client.get(reverse("reports:dashboard")).context["year"] == today.year
    assert client.get(reverse("reports:dashboard"), {"year": 2016}).context["year"] == 2016


# --- Buttons follow the actions ---------------------------------------------------------------


def test_target_buttons_follow_what_each_user_may_do_now(client, county_staff, city_user,
                                                         submitted_target):  # fmt: skip
    url = reverse("reports:target_detail", args=[submitted_target.pk])
    accept = reverse("reports:target_accept", args=[submitted_target.pk])
    submit = reverse("reports:target_submit", args=[submitted_target.pk])
    edit = reverse("reports:target_edit", args=[2016])
    client.force_login(city_user)
    page = client.get(url).content.decode()
    assert accept in page and submit not in page
    client.force_login(county_staff)
    page = client.get(url).content.decode()
    assert accept not in page and submit not in page and edit not in page


def test_a_submitted_target_cannot_be_opened_for_editing(client, county_staff, submitted_target):
    client.force_login(county_staff)
    response = client.get(reverse("reports:target_edit", args=[2016]), follow=True)
    assert response.redirect_chain[-1][0] == submitted_target.get_absolute_url()
    assert "不能填报目标" in response.content.decode()


def test_only_the_county_sees_the_upload_form_and_only_the_city_the_decisions(
    client, county_staff, city_user, zhifu_plan
):
    url = reverse("reports:submission_detail", args=[zhifu_plan.pk])
    client.force_login(county_staff)
    page = client.get(url).content.decode()
    assert "上报</button>" in page and "接收</button>" not in page
    targets_page = client.get(reverse("reports:targets") + "?year=2016").content.decode()
    assert "填报本单位2016年目标" in targets_page
    client.force_login(city_user)
    assert "上报</button>" not in client.get(url).content.decode()
    assert "填报本单位" not in client.get(reverse("reports:targets")).content.decode()

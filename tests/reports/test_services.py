"""Submissions (late flag, content check, city decisions), targets (submit, return, accept,
locked), the progress snapshot and the yearly evaluation's (年终考核) breakdown."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from enterprises.choices import Status
from enterprises.models import CreationListEntry
from portal.audit import history_for
from portal.models import Notification
from reports import evaluation
from reports.choices import SubmissionStatus, TargetStatus
from reports.models import CityGoal, CountyTarget, EvaluationCriterion
from reports.selectors import county_progress
from reports.services import submissions, targets
from reports.services.progress import build_progress_report
from tests.factories import phases_ahead

from .conftest import PDF

pytestmark = pytest.mark.django_db
D = dt.date


def shanghai(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def pdf(name="方案.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- Submissions ---------------------------------------------------------------------------


def test_every_county_owes_each_document_of_the_year_from_the_start(deadlines, reference):
    assert [d.due_on for d in deadlines] == [D(2016, 3, 30), D(2016, 4, 30), D(2016, 9, 15)]
    assert deadlines[0].submissions.filter(status=SubmissionStatus.NOT_SUBMITTED).count() == 16
    submissions.setup_deadlines(year=2016)  # idempotent
    assert deadlines[0].submissions.count() == 16


def test_a_document_handed_in_on_the_last_evening_is_on_time(zhifu_plan, county_staff):
    sub = submissions.submission_upload(
        actor=county_staff, submission=zhifu_plan, document=pdf(),
        now=shanghai(2016, 3, 30, 23, 59),
    )  # fmt: skip
    assert (sub.status, sub.is_late) == (SubmissionStatus.SUBMITTED, False)


def test_a_document_handed_in_one_minute_after_the_deadline_is_late(zhifu_plan, county_staff):
    one_minute_late = zhifu_plan.deadline.closes_at + dt.timedelta(minutes=1)
    sub = submissions.submission_upload(
        actor=county_staff, submission=zhifu_plan, document=pdf(), now=one_minute_late
    )
    assert (sub.status, sub.is_late) == (SubmissionStatus.LATE, True)
    assert history_for(sub).first().action == "上报材料"


def test_a_text_file_named_pdf_is_refused_by_its_content(zhifu_plan, county_staff):
    fake = SimpleUploadedFile("方案.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(ValidationError, match="PDF 或 Office"):
        submissions.submission_upload(actor=county_staff, submission=zhifu_plan, document=fake)


def test_an_oversized_document_is_refused(zhifu_plan, county_staff, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(ValidationError, match="不能超过"):
        submissions.submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf())


def test_county_staff_cannot_hand_in_another_countys_document(zhifu_plan, fushan_user):
    with pytest.raises(PermissionDenied):
        submissions.submission_upload(actor=fushan_user, submission=zhifu_plan, document=pdf())


def test_city_returns_a_document_with_its_comment_and_the_county_is_told(
    zhifu_plan, county_staff, city_user
):
    submissions.submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf())
    sub = submissions.submission_return(
        actor=city_user, submission=zhifu_plan, comment="缺少时间表"
    )
    assert (sub.status, sub.city_comment) == (SubmissionStatus.RETURNED, "缺少时间表")
    note = Notification.objects.get(recipient=county_staff)
    assert "退回" in note.title and note.body == "缺少时间表"
    with pytest.raises(ValidationError):
        submissions.submission_return(actor=city_user, submission=sub, comment="")


def test_city_accepts_and_then_the_county_cannot_replace_it(zhifu_plan, county_staff, city_user):
    submissions.submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf())
    submissions.submission_accept(actor=city_user, submission=zhifu_plan)
    zhifu_plan.refresh_from_db()
    with pytest.raises(ValidationError, match="已接收"):
        submissions.submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf())


# --- Targets --------------------------------------------------------------------------------


HALF_AND_ALL = ((D(2016, 6, 30), 50), (D(2016, 12, 31), 100))


def save_target(user, county, milestones=HALF_AND_ALL):
    return targets.target_save(
        actor=user, county=county, year=2016, listed_count=200, milestones=list(milestones)
    )


def test_target_goes_from_draft_to_submitted_to_accepted_and_is_then_locked(
    county_staff, city_user, zhifu
):
    target = save_target(county_staff, zhifu)
    assert target.status == TargetStatus.DRAFT and target.year_target == 100
    target = targets.target_submit(actor=county_staff, target=target)
    with pytest.raises(ValidationError, match="不能填报目标"):
        save_target(county_staff, zhifu)
    target = targets.target_accept(actor=city_user, target=target)
    assert target.status == TargetStatus.ACCEPTED
    with pytest.raises(ValidationError):
        save_target(county_staff, zhifu)
    with pytest.raises(ValidationError):
        targets.target_return(actor=city_user, target=target, reason="再改改")
    actions = [e.action for e in history_for(target)]
    assert actions == ["审定目标", "提交目标", "填报目标"]


def test_a_returned_target_carries_the_reason_and_can_be_changed(county_staff, city_user, zhifu):
    target = targets.target_submit(actor=county_staff, target=save_target(county_staff, zhifu))
    target = targets.target_return(actor=city_user, target=target, reason="时间节点过于靠后")
    assert (target.status, target.return_reason) == (TargetStatus.RETURNED, "时间节点过于靠后")
    assert Notification.objects.filter(recipient=county_staff, body="时间节点过于靠后").exists()
    target = save_target(county_staff, zhifu, [(D(2016, 9, 30), 80), (D(2016, 12, 31), 120)])
    target = targets.target_submit(actor=county_staff, target=target)
    assert target.return_reason == ""


@pytest.mark.parametrize(
    ("milestones", "message"),
    [
        ([], "至少"),
        ([(D(2016, 6, 30), 80), (D(2016, 12, 31), 50)], "减少"),
        ([(D(2017, 1, 31), 50)], "2016年内"),
        ([(D(2016, 12, 31), 500)], "超过"),
    ],
)
def test_target_milestones_must_make_sense(county_staff, zhifu, milestones, message):
    with pytest.raises(ValidationError, match=message):
        save_target(county_staff, zhifu, milestones)


def test_city_staff_cannot_enter_a_countys_target(city_user, zhifu):
    with pytest.raises(PermissionDenied):
        save_target(city_user, zhifu)


# --- Progress and evaluation -----------------------------------------------------------------


@pytest.fixture
def zhifu_progress(make_enterprise, zhifu, fushan, county_staff, city_user, deadlines):
    """芝罘区: 10 firms on the list, 4 passed, 2 under review, 1 applied; target 8 by year end."""
    statuses = [Status.CONFIRMED] * 3 + [Status.ANNOUNCED] + [Status.UNDER_REVIEW] * 2
    statuses += [Status.APPLIED, Status.SELF_ASSESSING, Status.LISTED, Status.LISTED]
    for status in statuses:
        firm = make_enterprise(county=zhifu, status=status)
        CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 9, 30))
    firm = make_enterprise(county=fushan, status=Status.CONFIRMED)
    CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 9, 30))
    target = save_target(county_staff, zhifu, [(D(2016, 6, 30), 4), (D(2016, 12, 31), 8)])
    targets.target_accept(actor=city_user, target=targets.target_submit(
        actor=county_staff, target=target))  # fmt: skip
    return zhifu


def test_progress_counts_the_list_and_compares_with_target_and_timetable(zhifu_progress, city_user):
    progress = county_progress(user=city_user, year=2016, today=D(2016, 6, 30))
    rows = {p.county.name: p for p in progress}
    z = rows["芝罘区"]
    assert (z.listed, z.self_assessed, z.applied, z.under_review, z.passed) == (10, 8, 1, 2, 4)
    assert (z.target, z.expected_today, z.vs_target, z.vs_timetable) == (8, 4, 0.5, 1.0)
    assert z.projected == round(4 * 366 / 182)
    # 福山区 passed its only listed firm: 100% beats 40%.
    assert (rows["福山区"].rank, z.rank) == (1, 2)


def test_progress_report_stores_a_dated_snapshot_and_its_workbook(zhifu_progress):
    snap = build_progress_report(today=D(2016, 6, 30))
    assert snap.rows.count() == 16
    row = snap.rows.get(county=zhifu_progress)
    assert (row.passed, row.target, row.expected_today) == (4, 8, 4)
    sheet = load_workbook(snap.workbook.open("rb")).active
    assert sheet["B1"].value == "县市区" and sheet["B3"].value == "芝罘区"
    again = build_progress_report(today=D(2016, 6, 30))
    assert again.pk == snap.pk and again.rows.count() == 16


def test_evaluation_scores_each_criterion_by_its_weight_and_ranks(
    zhifu_progress, county_staff, city_user
):
    submissions.submission_upload(
        actor=county_staff, submission=zhifu_progress.submissions.first(), document=pdf(),
        now=shanghai(2016, 3, 1, 9),
    )  # fmt: skip
    CityGoal.objects.create(year=2016, due_on=D(2016, 12, 31), pass_percent=50)
    EvaluationCriterion.objects.create(year=2016, code="targets_met", weight=70)
    EvaluationCriterion.objects.create(year=2016, code="timeliness", weight=30)
    scores = {
        s.county.name: s
        for s in evaluation.evaluate(user=city_user, year=2016, today=D(2016, 12, 31))
    }
    z = scores["芝罘区"]
    # Against the goal: 4 passed of the minimum 5 (50% of 10 small firms) → 80% × 70 = 56,
    # however low the county's own target; timeliness: 1 of 3 on time → 33.3% × 30 = 10.
    assert [(p["code"], p["value"], p["points"]) for p in z.parts] == [
        ("targets_met", 80.0, 56.0), ("timeliness", 33.3, 10.0)
    ]  # fmt: skip
    assert z.total == 66.0 and z.rank == 2
    # 福山区 passed its one small firm (minimum 1) and handed nothing in.
    assert scores["福山区"].total == 70.0 and scores["福山区"].rank == 1


def test_a_criterion_with_nothing_to_measure_scores_nothing(reference, city_user):
    """No goal set and no deadline passed: nothing to measure, so no points (not full marks)."""
    scores = evaluation.evaluate(user=city_user, year=2016, today=D(2016, 1, 10))
    assert all(s.total == 0.0 for s in scores)
    assert all(p["value"] is None for s in scores for p in s.parts)


def test_a_new_criterion_plugs_in_by_registering_a_function(zhifu_progress, city_user):
    @evaluation.criterion("always_half", "测试指标")
    def always_half(year, today, progress):
        return {p.county.pk: 0.5 for p in progress}

    try:
        EvaluationCriterion.objects.create(year=2016, code="always_half", weight=10)
        scores = evaluation.evaluate(user=city_user, year=2016)
        assert all(s.total == 5.0 for s in scores)
    finally:
        evaluation.CRITERIA.pop("always_half")


def test_without_weights_the_default_criteria_apply(reference):
    assert set(evaluation.weights_for(2016)) == {"targets_met", "timeliness"}
    assert CountyTarget.objects.count() == 0


def test_audit_accuracy_and_lookback_work_score_the_counties(
    zhifu_progress, city_user, county_staff
):
    """The notice scores the counties on the audit's error rate and their look-back work too."""
    from decimal import Decimal

    from enterprises.models import Enterprise
    from lookback.models import AuditRound
    from lookback.services import campaign_open, self_check_record

    AuditRound.objects.create(
        county=zhifu_progress, year=2016, tolerance=10, created_by=city_user,
        status="closed", error_rate=Decimal("0.25"), sampled=4, in_error=1,
    )  # fmt: skip
    campaign = campaign_open(year=2016, actor=city_user, deadlines=phases_ahead())
    passed = Enterprise.objects.filter(county=zhifu_progress, status__in=["confirmed", "announced"])
    self_check_record(
        campaign=campaign, enterprise=passed.first(), actor=county_staff,
        system_built=True, runs_daily=True, agency_performed=True,
    )  # fmt: skip
    EvaluationCriterion.objects.create(year=2016, code="audit_accuracy", weight=20)
    EvaluationCriterion.objects.create(year=2016, code="lookback_work", weight=40)
    z = {s.county.name: s for s in evaluation.evaluate(user=city_user, year=2016)}["芝罘区"]
    # Accuracy 75% × 20 = 15; one of four passed firms checked: 25% × 40 = 10.
    assert [(p["code"], p["value"], p["points"]) for p in z.parts] == [
        ("audit_accuracy", 75.0, 15.0), ("lookback_work", 25.0, 10.0)
    ]  # fmt: skip

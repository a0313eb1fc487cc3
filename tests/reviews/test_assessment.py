# ruff: noqa: F811 - fixtures are imported from tests.reviews.fixtures_assessment
"""The self-assessment rules: every item scored, reasons for deductions, 空项, submission locks
and computes the score by reviews.scoring, concurrent edits refused, evidence checked."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.choices import Status
from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from reviews.choices import AssessmentStatus
from reviews.models import Evidence
from reviews.selectors.assessment import assessment_lines
from reviews.services import assessment as services
from reviews.services.assessment import LineInput
from tests.reviews.fixtures_assessment import (  # noqa: F401
    ON_DATE,
    PDF,
    assessment,
    graded_assessment,
    listed_firm,
    other_firm_user,
    standards,
)

pytestmark = pytest.mark.django_db


def save(assessment, user, entries, **kwargs):
    lines = {line.item.code: line for line in assessment_lines(assessment)}
    return services.assessment_save_draft(
        assessment=assessment,
        actor=user,
        expected_version=kwargs.pop("version", assessment.version),
        entries={
            lines[code].pk: LineInput(D(d), na, reason) for code, (d, na, reason) in entries.items()
        },
        **kwargs,
    )


def submit(assessment, user):
    return services.assessment_submit(
        assessment=assessment, actor=user, expected_version=assessment.version
    )


def test_starting_records_the_standard_version_and_moves_the_firm_to_self_assessing(
    assessment,
    listed_firm,
    standards,
):
    listed_firm.refresh_from_db()
    assert listed_firm.status == Status.SELF_ASSESSING
    assert assessment.standard == standards["small_micro"]
    assert assessment.lines.count() == 135
    assert [entry.action for entry in history_for(assessment)] == ["开始自评"]
    assert history_for(listed_firm).first().action == "开始自评"


def test_starting_again_returns_the_open_draft(assessment, listed_firm, enterprise_user):
    again = services.assessment_start(
        enterprise=listed_firm, actor=enterprise_user, on_date=ON_DATE
    )
    assert again == assessment


def test_only_the_firms_own_users_start_its_assessment(
    listed_firm,
    standards,
    other_firm_user,
    county_user,
):
    for user in (other_firm_user, county_user):
        with pytest.raises(PermissionDenied):
            services.assessment_start(enterprise=listed_firm, actor=user, on_date=ON_DATE)


def test_a_deduction_cannot_exceed_the_items_points(assessment, enterprise_user):
    with pytest.raises(ValidationError) as caught:
        save(assessment, enterprise_user, {"1.1": ("8.5", False, "目标未分解")})
    assert caught.value.message_dict == {"1.1": ["扣分不能超过该项标准分值 8.0 分"]}


def test_a_not_applicable_item_deducts_nothing(assessment, enterprise_user):
    with pytest.raises(ValidationError, match="空项（不适用）不扣分"):
        save(assessment, enterprise_user, {"4.8": ("1", True, "无职业病危害")})


def test_a_draft_may_be_saved_without_reasons_but_not_submitted(assessment, enterprise_user):
    save(assessment, enterprise_user, {"1.1": ("1", False, ""), "4.8": ("0", True, "")})
    with pytest.raises(ValidationError) as caught:
        submit(assessment, enterprise_user)
    assert caught.value.message_dict == {
        "1.1": ["未得满分的项目必须填写扣分理由"],
        "4.8": ["请说明该项不适用的理由"],
    }
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_submitting_computes_the_score_with_not_applicable_items_out_of_the_denominator(
    assessment,
    enterprise_user,
):
    # The Shandong layout: 1,000 points; 9.1-9.3 (major hazard sources, 24 points) do not
    # apply, leaving 976; 1.1 loses 8 and 5.9 loses 5: (976 - 13) / 976 × 100 = 98.67 → 98.7
    save(
        assessment,
        enterprise_user,
        {
            "9.1": ("0", True, "无重大危险源"),
            "9.2": ("0", True, "无重大危险源"),
            "9.3": ("0", True, "无重大危险源"),
            "1.1": ("8", False, "未制定年度目标"),
            "5.9": ("5", False, "一名电工证过期"),
        },
    )
    submit(assessment, enterprise_user)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.score == D("98.7")
    assert assessment.submitted_at is not None
    assert assessment.veto_failed is False
    entry = history_for(assessment).first()
    assert entry.action == "提交自评"
    assert entry.changes["status"] == ["草稿", "已提交"]
    assert entry.changes["score"] == [None, "98.7"]


def test_a_deducted_veto_item_fails_the_assessment(graded_assessment):
    assessment, user = graded_assessment
    save(assessment, user, {"6.21": ("1", False, "一台冲床光电保护失效")})  # a veto item
    submit(assessment, user)
    assessment.refresh_from_db()
    assert assessment.veto_failed is True
    assert assessment.score == D("99.9")  # 1073 / 1074


def test_a_submitted_assessment_is_locked(assessment, enterprise_user):
    submit(assessment, enterprise_user)
    # The machine says why: only a draft may be changed.
    with pytest.raises(ValidationError, match="“已提交”，不能修改自评"):
        save(assessment, enterprise_user, {"1.1": ("1", False, "x")})
    line = assessment.lines.first()
    with pytest.raises(ValidationError, match="“已提交”，不能修改自评"):
        services.evidence_add(
            line=line, actor=enterprise_user, upload=SimpleUploadedFile("a.pdf", PDF)
        )


def test_the_later_of_two_edits_from_the_same_version_is_refused(assessment, enterprise_user):
    started = assessment.version
    save(assessment, enterprise_user, {"1.1": ("1", False, "第一个标签页")}, version=started)
    with pytest.raises(ConcurrentEditError):
        save(assessment, enterprise_user, {"1.1": ("2", False, "第二个标签页")}, version=started)
    line = assessment.lines.get(item__code="1.1")
    assert (line.deducted, line.reason) == (D(1), "第一个标签页")


def test_each_save_keeps_what_changed_in_the_history(assessment, enterprise_user, agency):
    entries = {"1.1": ("1", False, "目标未分解"), "4.8": ("0", True, "无职业病危害")}
    save(assessment, enterprise_user, entries, guide_agency=agency)
    entry = history_for(assessment).first()
    assert entry.action == "保存自评"
    assert entry.changes == {
        "1.1 扣分": ["0.0", "1.0"],
        "1.1 理由": ["", "目标未分解"],
        "4.8 空项": ["否", "是"],
        "4.8 理由": ["", "无职业病危害"],
        "指导机构": [None, agency.name],
    }
    assessment.refresh_from_db()
    assert assessment.guide_agency == agency


def test_evidence_is_stored_for_the_firm_when_its_content_is_allowed(
    assessment,
    enterprise_user,
    listed_firm,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    line = assessment.lines.get(item__code="1.1")
    evidence = services.evidence_add(
        line=line, actor=enterprise_user, upload=SimpleUploadedFile("目标.pdf", PDF)
    )
    assert (evidence.enterprise, evidence.content_type) == (listed_firm, "application/pdf")
    services.evidence_remove(evidence=evidence, actor=enterprise_user)
    assert not Evidence.objects.exists()


def test_evidence_of_a_disallowed_type_or_size_is_refused(
    assessment,
    enterprise_user,
    monkeypatch,
):
    line = assessment.lines.first()
    with pytest.raises(ValidationError, match="不是允许的类型"):
        services.evidence_add(
            line=line, actor=enterprise_user, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00exe")
        )
    monkeypatch.setattr(services, "EVIDENCE_MAX_MB", 1)
    with pytest.raises(ValidationError, match="超过 1 MB"):
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * 1024 * 1024)
        services.evidence_add(line=line, actor=enterprise_user, upload=big)
    assert not Evidence.objects.exists()


def test_another_firms_user_cannot_write_the_assessment(assessment, other_firm_user):
    with pytest.raises(PermissionDenied):
        save(assessment, other_firm_user, {"1.1": ("1", False, "x")})


def test_a_firm_not_on_the_creation_list_cannot_start(listed_firm, standards, enterprise_user):
    listed_firm.status = Status.NOT_LISTED
    listed_firm.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="未纳入创建"):
        services.assessment_start(enterprise=listed_firm, actor=enterprise_user, on_date=ON_DATE)
    assert not listed_firm.self_assessments.exists()


def test_a_firm_without_a_standard_in_force_is_told_so(listed_firm, enterprise_user, reference):
    with pytest.raises(ValidationError, match="没有施行中的小微企业评定标准"):
        services.assessment_start(enterprise=listed_firm, actor=enterprise_user, on_date=ON_DATE)
    listed_firm.refresh_from_db()
    assert listed_firm.status == Status.LISTED


def test_the_last_submitted_assessment_and_its_lines_are_found_for_the_review(
    assessment, enterprise_user
):
    from reviews.selectors.assessment import latest_submitted_assessment, self_lines_by_item

    assert latest_submitted_assessment(assessment.enterprise) is None
    save(assessment, enterprise_user, {"1.1": ("1", False, "目标未分解")})
    submit(assessment, enterprise_user)
    assert latest_submitted_assessment(assessment.enterprise) == assessment
    lines = self_lines_by_item(assessment)
    assert len(lines) == 135
    assert lines[assessment.lines.get(item__code="1.1").item_id].deducted == D(1)

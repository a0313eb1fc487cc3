from django.db import models


class SubmissionStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "未上报"
    SUBMITTED = "submitted", "已上报"
    LATE = "late", "逾期上报"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已接收"


# A submission still owed by the county (reminders go out for these).
OWED_STATUSES = (SubmissionStatus.NOT_SUBMITTED, SubmissionStatus.RETURNED)
# Handed in (on time or late) and not sent back.
IN_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.LATE, SubmissionStatus.ACCEPTED)


class TargetStatus(models.TextChoices):
    """DHIS2-style: the county enters and submits; the city accepts (locked) or returns."""

    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交待审"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已审定（锁定）"


class ReminderKind(models.TextChoices):
    SUBMISSION = "submission", "上报材料截止提醒"
    NONCONFORMITY = "nonconformity", "不符合项整改期限提醒"
    CERTIFICATE = "certificate", "等级证书到期提醒"
    LIST_TARGET = "list_target", "创建名单计划日期已过未自评提醒"
    ENFORCEMENT = "enforcement", "执法案件整改期限提醒"
    DISPATCH = "dispatch", "调度事项期限提醒"
    AGENCY_WARNING = "agency_warning", "评审机构整改期限提醒"
    LOOKBACK_SELF_CHECK = "lookback_self_check", "回头看自查自纠截止提醒"
    LOOKBACK_SUMMARY = "lookback_summary", "回头看总结截止提醒"
    LOOKBACK_SPOT_CHECK = "lookback_spot_check", "回头看抽查截止提醒"

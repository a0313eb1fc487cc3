from django.db import models


class SizeClass(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


SMALL_MICRO = (SizeClass.SMALL, SizeClass.MICRO)


class Status(models.TextChoices):
    """Where a firm stands in the standardization lifecycle (its state machine is
    reviews.workflows.lifecycle.LIFECYCLE, moved by the review's machine)."""

    NOT_LISTED = "not_listed", "未纳入创建"
    LISTED = "listed", "纳入创建名单"
    SELF_ASSESSING = "self_assessing", "自评中"
    APPLIED = "applied", "已申请评审"
    UNDER_REVIEW = "under_review", "评审中"
    RECTIFYING = "rectifying", "整改中"
    CONCLUDED = "concluded", "评审已结论"
    CONFIRMED = "confirmed", "已确认"
    RECOMMENDED = "recommended", "已推荐上报"
    ANNOUNCED = "announced", "已公告达标"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已过期"


PASSED_STATUSES = (Status.CONFIRMED, Status.ANNOUNCED)

# The stages of the year's creation list that the progress figures count (the dashboards) and
# that the list filters by (``?stage=``), so each figure links to exactly its rows.
LIST_STAGES = {
    "self_assessed": tuple(s for s in Status.values if s not in (Status.NOT_LISTED, Status.LISTED)),
    "applied": (Status.APPLIED,),
    "under_review": (Status.UNDER_REVIEW, Status.RECTIFYING, Status.CONCLUDED),
    "passed": PASSED_STATUSES,
}


class Grade(models.TextChoices):
    PASS = "pass", "达标"
    LEVEL1 = "1", "一级"
    LEVEL2 = "2", "二级"
    LEVEL3 = "3", "三级"


class RemovalReason(models.TextChoices):
    """Why a firm leaves a creation list: a fixed set, each with evidence (issue of the list)."""

    DEREGISTERED = "deregistered", "注销"
    SHUT_DOWN = "shut_down", "关停"
    MOVED_AWAY = "moved_away", "迁出"
    NOT_IN_SECTOR = "not_in_sector", "不属于工贸行业"
    DUPLICATE = "duplicate", "重复"

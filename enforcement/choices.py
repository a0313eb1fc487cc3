"""The words of enforcement (执法推进): the five points of the notice, findings, case states."""

from django.db import models


class CheckPoint(models.TextChoices):
    """The notice's five points an enforcement inspection looks at (三（三）)."""

    TRAINING = "training", "从业人员安全教育培训档案"
    HAZARDS = "hazards", "隐患排查治理工作开展情况"
    OCCUPATIONAL = "occupational", "职业危害管理情况"
    SPECIAL_OPERATIONS = "special_operations", "特种作业人员持证上岗"
    EMERGENCY_PLAN = "emergency_plan", "应急预案备案"


class Finding(models.TextChoices):
    CONFORMS = "conforms", "符合"
    NONCONFORMING = "nonconforming", "不符合"
    VIOLATION = "violation", "违法"


class CaseStatus(models.TextChoices):
    OPENED = "opened", "已立案"
    INSPECTED = "inspected", "已检查"
    ORDERED = "ordered", "已责令改正"
    DECIDED = "decided", "已作出处罚决定"
    FOLLOWED_UP = "followed_up", "已复查"
    CLOSED = "closed", "已结案"


# A case whose order to correct is running: its deadline (rectify_by) can be overdue.
RUNNING_ORDER_STATUSES = (CaseStatus.ORDERED, CaseStatus.DECIDED)


class FollowUpResult(models.TextChoices):
    CORRECTED = "corrected", "已改正"
    ESCALATED = "escalated", "逾期未改正，依法加重处理"

from django.db import models


class AgencyStanding(models.TextChoices):
    """An agency's place on the yearly dynamic list (动态名单)."""

    REGISTERED = "registered", "在册"
    WARNED = "warned", "警告"
    RECTIFYING = "rectifying", "限期整改"
    REMOVED = "removed", "清除"
    DISQUALIFIED = "disqualified", "取消资格"


# An agency that may still be assigned reviews (警告 may; 限期整改 may not until the follow-up).
ASSIGNABLE_STANDINGS = (AgencyStanding.REGISTERED, AgencyStanding.WARNED)
# An agency off the list: its open assignments go back to the county to reassign.
OFF_THE_LIST_STANDINGS = (AgencyStanding.REMOVED, AgencyStanding.DISQUALIFIED)


class WarningProblem(models.TextChoices):
    """What an agency is warned for; a second warning for the same problem within the year is
    屡改屡犯."""

    FEES = "fees", "重收费、轻服务"
    QUALITY = "quality", "评审走过场、结论失实"
    CONDUCT = "conduct", "违规承揽、人员不符"
    OTHER = "other", "其他"


class WarningStatus(models.TextChoices):
    OPEN = "open", "整改中"
    RECTIFIED = "rectified", "整改到位"
    NOT_RECTIFIED = "not_rectified", "未整改到位"


class ChangeKind(models.TextChoices):
    INDUSTRIES = "industries", "资质范围变更"
    EXPERT_ADD = "expert_add", "新增专家"
    EXPERT_EDIT = "expert_edit", "专家信息变更"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待市局审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Funding(models.TextChoices):
    GOVERNMENT = "government", "政府购买服务"
    SUBSIDY = "subsidy", "以奖代补"
    SELF = "self", "企业自行委托"


class StandardKind(models.TextChoices):
    SMALL_MICRO = "small_micro", "小微企业评定标准"
    INDUSTRY = "industry", "行业评定标准（分级）"


class StandardIssuer(models.TextChoices):
    """Who issued a standard. Where a provincial and a national small/micro standard are in
    force at once, the county decides which its firms use; without its decision the
    provincial one applies (the notice names the Shandong general standard)."""

    PROVINCE = "province", "省级"
    NATION = "nation", "国家"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class ReviewStatus(models.TextChoices):
    """The review's own progress; the firm's lifecycle is Enterprise.status."""

    APPLIED = "applied", "已申请"
    RETURNED = "returned", "已退回"
    ASSIGNED = "assigned", "已委派"
    UNDER_REVIEW = "under_review", "评审中"
    RECTIFYING = "rectifying", "整改中"
    CONCLUDED = "concluded", "已出结论"
    CONFIRMED = "confirmed", "已确认"
    RECOMMENDED = "recommended", "已推荐上报"
    CANCELLED = "cancelled", "已撤回"


class RiskKind(models.TextChoices):
    """What the review team identified on site (四个结合: risk identification), one row each."""

    HAZARDOUS_PLACE = "hazardous_place", "危险、危害场所"
    SPECIAL_OPERATION_SITE = "special_operation_site", "特殊作业场所"
    RISK_POINT = "risk_point", "风险节点"


class NonconformityStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已整改待核查"
    ACCEPTED = "accepted", "整改到位"
    REJECTED = "rejected", "核查未通过"


OPEN_NONCONFORMITY_STATUSES = (
    NonconformityStatus.OPEN,
    NonconformityStatus.ANSWERED,
    NonconformityStatus.REJECTED,
)


class AnnouncementKind(models.TextChoices):
    """公示 (results open to objection before the decision) and 公告 (the decision)."""

    PUBLICITY = "publicity", "公示"
    ANNOUNCEMENT = "announcement", "公告"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class ConfirmingLevel(models.TextChoices):
    """Who confirms a result (reviews.rules): the county, the city, or the city recommending it
    upward to the province or the nation (推荐上报)."""

    COUNTY = "county", "县市区监管部门"
    CITY = "city", "市局"
    RECOMMEND = "recommend", "市局推荐上报"

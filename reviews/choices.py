from django.db import models


class AgencyStanding(models.TextChoices):
    """An agency's place on the yearly dynamic list (动态名单)."""

    REGISTERED = "registered", "在册"
    WARNED = "warned", "警告"
    RECTIFYING = "rectifying", "限期整改"
    REMOVED = "removed", "清除"


class Funding(models.TextChoices):
    GOVERNMENT = "government", "政府购买服务"
    SUBSIDY = "subsidy", "以奖代补"
    SELF = "self", "企业自行委托"

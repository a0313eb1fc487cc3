"""The roles of the portal's users. A user has exactly one role; county, enterprise and agency
users are bound to one object of their kind (see User.clean)."""

from django.db import models


class Role(models.TextChoices):
    CITY = "city", "市局工商贸科"
    COUNTY = "county", "县市区监管部门"
    ENTERPRISE = "enterprise", "企业用户"
    AGENCY = "agency", "评审机构"
    ADMIN = "admin", "系统管理员"


# Roles that see the whole city (read access to everything).
CITY_WIDE_ROLES = frozenset({Role.CITY, Role.ADMIN})

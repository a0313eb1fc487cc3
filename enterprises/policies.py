"""Who may do what in the registry: rules ``(user, obj) -> reason | None`` (``portal.policy``).

Reading is the scoping's job (``Enterprise.objects.for_user``); these rules decide what a user
may do with rows they can already see. The city reads everything and writes nothing here (it
does its work through reviews and reports), except recording accidents; administrators may
correct anything. Actions on no single row (open a list, create, import) are asked of the class.
"""

from __future__ import annotations

from typing import Any

from portal.models import Job
from portal.policy import first_refusal, only, role_of, rule, system
from portal.roles import Role

from .models import Accident, CreationListEntry, Enterprise

REGISTRY_KEEPERS = (Role.COUNTY, Role.ADMIN)
LIST_READERS = (Role.CITY, Role.ADMIN, Role.COUNTY, Role.AGENCY)
# Creation lists are the governments' work plan; agencies have no part in them.
CREATION_LIST_READERS = (Role.CITY, Role.ADMIN, Role.COUNTY)

# --- Who someone is, to a firm ------------------------------------------------------------------


def keeps_registry_of(user: Any, enterprise: Enterprise) -> str | None:
    """The county the firm is registered in (or an administrator)."""
    if role_of(user) == Role.ADMIN:
        return None
    if role_of(user) == Role.COUNTY and user.county_id == enterprise.county_id:
        return None
    return "只有企业所在县市区的监管部门可以修改该企业的登记信息"


def keeps_registry_or_own_firm(user: Any, enterprise: Enterprise) -> str | None:
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id == enterprise.pk:
        return None
    return keeps_registry_of(user, enterprise) and "您无权修改该企业"


def own_firm(user: Any, enterprise: Enterprise) -> str | None:
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id == enterprise.pk:
        return None
    return "只有本企业的用户可以执行此操作"


def still_open(user: Any, enterprise: Enterprise) -> str | None:
    return "该企业已关闭，登记信息不再修改" if enterprise.closed_on else None


def county_or_city_of_firm(user: Any, enterprise: Enterprise) -> str | None:
    """Accidents are recorded by the county the firm is in, or by the city (not the firm:
    deaths cap the grade it can get, so the party being graded does not keep that record)."""
    if role_of(user) == Role.CITY:
        return None
    if keeps_registry_of(user, enterprise) is None:
        return None
    return "只有县市区或市级监管人员可以登记事故"


def system_or(*roles: str, reason: str) -> Any:
    """The roles given, or a scheduled job / command (``user is None``)."""

    def check(user: Any, obj: Any) -> str | None:
        return None if user is None or role_of(user) in roles else reason

    return check


# --- Pages and actions on no single firm --------------------------------------------------------

rule(Enterprise, "list", "export")(only(*LIST_READERS, reason="您的角色不能查看企业名录"))
rule(Enterprise, "mine")(only(Role.ENTERPRISE, reason="只有企业用户有“本企业”页面"))
rule(Enterprise, "create")(only(*REGISTRY_KEEPERS, reason="您的角色不能新增企业"))
rule(Enterprise, "import")(system_or(*REGISTRY_KEEPERS, reason="您的角色不能导入企业"))
rule(CreationListEntry, "list", "export")(
    only(*CREATION_LIST_READERS, reason="您的角色不能查看创建名单")
)
rule(CreationListEntry, "add")(only(*REGISTRY_KEEPERS, reason="您的角色不能调整创建名单"))

# --- One firm -----------------------------------------------------------------------------------

rule(Enterprise, "edit")(first_refusal(keeps_registry_or_own_firm, still_open))
rule(Enterprise, "edit_registry")(keeps_registry_of)
# County staff register firms in their own county; only an administrator moves one elsewhere.
rule(Enterprise, "move_county")(only(Role.ADMIN, reason="只有系统管理员可以变更企业所属区县"))
rule(Enterprise, "close")(first_refusal(keeps_registry_of, still_open))
rule(Enterprise, "act_as_firm")(own_firm)
rule(Enterprise, "record_accident")(county_or_city_of_firm)


@rule(Enterprise, "put_on_list", "take_off_list")
def keeps_creation_list_of(user: Any, enterprise: Enterprise) -> str | None:
    """纳入/移出创建名单: the county's own list (or an administrator)."""
    return keeps_registry_of(user, enterprise) and "只能调整本辖区企业的创建名单"


@rule(CreationListEntry, "remove")
def remove_from_list(user: Any, entry: CreationListEntry) -> str | None:
    return keeps_creation_list_of(user, entry.enterprise)


@rule(Accident, "edit")
def correct_accident(user: Any, accident: Accident) -> str | None:
    return county_or_city_of_firm(user, accident.enterprise)


@rule(Job, "confirm_import")
def started_the_import(user: Any, job: Job) -> str | None:
    """Whoever uploaded the sheet confirms its preview (the city sees it, but does not)."""
    if user is not None and job.owner_id == user.pk:
        return None
    return "只有上传该文件的用户可以确认导入"


rule(Job, "discard_preview")(system)  # the nightly job only


@rule(Job, "confirm_bulk_list")
def previewed_the_bulk_add(user: Any, job: Job) -> str | None:
    """Whoever previewed a bulk add to the creation list confirms it."""
    if user is not None and job.owner_id == user.pk:
        return None
    return "只有预览该批量纳入的用户可以确认"

"""The portal's own rules (``portal.policy``): background jobs are finished by the system."""

from .models import Job, SecurityEvent, User
from .policy import only, rule, system
from .roles import Role

rule(Job, "finish_job")(system)

# The security log is the city's to read and export (等保 2.0: the audit administrator).
rule(SecurityEvent, "view", "export")(only(Role.CITY, reason="只有市级用户可以查看安全日志"))

# --- Accounts: who issues whose logins ---------------------------------------------------------
# County staff issue the logins of their own county's firms; the city those of county staff and
# of review agencies (and a firm's, should its county be slow). Administrators keep Django's
# admin. The scope (User.objects.for_user) already hides another county's firms' users (404);
# these rules say which roles one may touch.
ISSUABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.COUNTY: (Role.ENTERPRISE,),
    Role.CITY: (Role.COUNTY, Role.AGENCY, Role.ENTERPRISE),
}


def issuable_roles(user) -> tuple[str, ...]:
    return ISSUABLE_ROLES.get(getattr(user, "role", None), ()) if user is not None else ()


def _issues_accounts(user, obj) -> str | None:
    return None if issuable_roles(user) else "只有市局和县市区监管部门可以管理账号"


def _issues_this_role(user, target) -> str | None:
    """On the class: whether the user issues any logins; on a user (or an unsaved one naming
    the role to create): whether that role is the user's to issue."""
    refusal = _issues_accounts(user, target)
    if refusal or isinstance(target, type):
        return refusal
    if target.role not in issuable_roles(user):
        names = "、".join(Role(r).label for r in issuable_roles(user))
        return f"您只能管理{names}的账号"
    return None


def _not_oneself(user, target) -> str | None:
    refusal = _issues_this_role(user, target)
    if refusal is None and not isinstance(target, type) and target.pk == user.pk:
        return "不能对自己的账号执行此操作"
    return refusal


rule(User, "manage_accounts")(_issues_accounts)
rule(User, "create", "edit")(_issues_this_role)
rule(User, "disable", "enable", "reset_password")(_not_oneself)

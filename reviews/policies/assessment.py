"""Who may do what with a self-assessment (自评), its evidence, and the certificates a
confirmed review gives. Rules ``(user, obj) -> reason | None`` (``portal.policy``); the states
in which a step may be taken are the machine's (``reviews.workflows.assessment``)."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from portal.policy import Rule, first_refusal, only, role_of, rule
from portal.roles import Role

from ..models import Certificate, Evidence, SelfAssessment
from .lifecycle import city_or_county_of_firm


def per_row(check: Rule) -> Rule:
    """A rule about one row; asked about the class (a page's actions), it does not apply."""

    def on_row(user: Any, obj: Any) -> str | None:
        return "此操作针对具体记录" if isinstance(obj, type) else check(user, obj)

    return on_row


# --- Self-assessment --------------------------------------------------------------------------


def own_firm_user(user: Any, enterprise_id: int | None) -> str | None:
    """The firm's own user; not an administrator: a self-assessment is the firm's statement."""
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id == enterprise_id:
        return None
    return "只有本企业的用户可以填写自评"


def writes_assessment(user: Any, assessment: SelfAssessment) -> str | None:
    return own_firm_user(user, assessment.enterprise_id)


def writes_evidence(user: Any, evidence: Evidence) -> str | None:
    if evidence.self_assessment_line_id is None:
        return "该文件不是自评佐证材料"
    return own_firm_user(user, evidence.enterprise_id)


rule(SelfAssessment, "start")(only(Role.ENTERPRISE, reason="只有企业用户可以开始自评"))
rule(SelfAssessment, "edit", "submit")(per_row(writes_assessment))
rule(Evidence, "delete")(per_row(writes_evidence))


# --- Certificates -----------------------------------------------------------------------------

READERS = (Role.CITY, Role.COUNTY, Role.ADMIN)


def is_current(certificate: Certificate) -> str | None:
    """Only the firm's current, unrevoked certificate can be revoked."""
    if certificate.revoked_at:
        return "该证书已被撤销"
    enterprise: Enterprise = certificate.enterprise
    if enterprise.certificate_no != certificate.number:
        return "该证书不是企业当前有效的等级证书，无需撤销"
    return None


def revokes(user: Any, certificate: Certificate) -> str | None:
    """City or county staff (the firm's county; not an administrator), on a current grade."""
    if role_of(user) not in (Role.CITY, Role.COUNTY):
        return "只有市局或企业所在县市区的监管部门可以撤销等级"
    return first_refusal(
        lambda u, c: city_or_county_of_firm(u, c.enterprise), lambda u, c: is_current(c)
    )(user, certificate)


rule(Certificate, "list")(only(*READERS, reason="只有监管部门可以查看等级证书"))
# The confirming levels (the county, the city: reviews.rules) confirm conclusions and so issue
# certificates; the queue of each shows what is theirs.
rule(Certificate, "issue")(
    only(Role.COUNTY, Role.CITY, reason="只有市局和县市区监管部门可以确认评审结论")
)
rule(Certificate, "revoke")(per_row(revokes))
# The city's audit of results (抽查审核) holds a certificate found in error.
rule(Certificate, "suspend")(only(Role.CITY, Role.ADMIN, reason="只有市局可以暂停等级证书"))


def decides_a_suspension(user: Any, certificate: Certificate) -> str | None:
    """The city, which suspended it, lifts a suspension or sends it to re-review; not while a
    re-review of it is under way (that decides it)."""
    from ..services.certificates import under_re_review

    if role_of(user) != Role.CITY:
        return "只有市局可以解除暂停或送交复审"
    if certificate.revoked_at or not certificate.suspended_at:
        return "该证书未被暂停"
    if under_re_review(certificate):
        return "该证书的复审正在进行，由复审结论决定"
    return None


rule(Certificate, "lift_suspension", "send_to_re_review")(per_row(decides_a_suspension))

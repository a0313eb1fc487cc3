"""The permission matrix, generated from the URL resolver and the policy table.

Every URL of the portal has an entry in ``SPECS`` naming what it is about: the model its
``pk`` fetches and the policy action the view requires (or, for a page about no one row, the
class-level action). The test walks every URL × every role of a small demo city (the city, two
counties, two firms, two agencies, an administrator, anonymous) × an object in and one out of
the user's scope, and expects what scoping and the policy say:

- anonymous → the login page (public pages: allowed);
- out of scope → 404;
- in scope, the policy refuses → 403;
- in scope, the policy allows → neither 403 nor 404, and never a server error.

A URL without an entry fails the test, so a new page cannot skip the matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal import policy

pytestmark = pytest.mark.django_db

# --- What each URL is about -------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page about no one row: allowed when ``policy.can(user, action, subject)``; ``subject``
    None means every signed-in user."""

    subject: Any = None
    action: str | None = None
    method: str = "get"
    kwargs: Callable[[Any], dict] | None = None  # for pages keyed by something else (a year)

    def subject_for(self) -> Any:
        return _resolve(self.subject)


@dataclass(frozen=True)
class Obj:
    """A page about one row fetched by ``pk``: 404 outside the scope, then the action."""

    model: Any
    action: str | None = None
    method: str = "get"
    queryset: Callable[[Any], Any] | None = None  # narrows the candidates (e.g. a job's kind)
    extra: Callable[[Any], dict] = field(default=lambda obj: {})  # other URL kwargs
    pk_kwarg: str = "pk"  # the URL kwarg naming the fetched row
    allowed: Callable[[Any, Any], bool] | None = None  # when the action is asked of another object

    def model_class(self) -> Any:
        return _resolve(self.model)


@dataclass(frozen=True)
class Public:
    """Open to everyone, signed in or not; ``kwargs`` names a row by something else (a draw's
    number)."""

    method: str = "get"
    kwargs: Callable[[], dict] | None = None


@dataclass(frozen=True)
class SignedIn:
    """Any signed-in user (the account pages)."""

    method: str = "get"


def _resolve(dotted: Any) -> Any:
    if not isinstance(dotted, str):
        return dotted
    if dotted.count(".") > 1:  # a page's marker class, by its module path
        from django.utils.module_loading import import_string

        return import_string(dotted)
    from django.apps import apps

    return apps.get_model(dotted)


def _first_line(assessment: Any) -> dict:
    return {"line_pk": assessment.lines.order_by("pk").values_list("pk", flat=True).first() or 0}


def _this_year(user: Any) -> dict:
    from portal.http import current_year

    return {"year": current_year()}


def _first_campaign(obj: Any) -> dict:
    from lookback.models import Campaign

    return {"pk": Campaign.objects.order_by("pk").values_list("pk", flat=True).first()}


def _may_file_self_check(user: Any, enterprise: Any) -> bool:
    """The self-check page asks "record" of the check the user would file for the firm."""
    from lookback.models import Campaign
    from lookback.selectors import self_check_for

    campaign = Campaign.objects.order_by("pk").first()
    check = self_check_for(campaign=campaign, enterprise=enterprise, user=user)
    return policy.can(user, "record", check)


def _a_draw() -> dict:
    from integrity.models import Draw

    return {"number": Draw.objects.order_by("pk").values_list("number", flat=True).first()}


def _imports(qs: Any) -> Any:
    return qs.filter(kind="enterprise_import")


def _exports(qs: Any) -> Any:
    return qs.filter(kind="enterprise_export")


def _may_export(user: Any, job: Any) -> bool:
    from enterprises.models import Enterprise

    return policy.can(user, "export", Enterprise)


def _bulk_adds(qs: Any) -> Any:
    return qs.filter(kind="creation_list_bulk")


def _may_import(user: Any, job: Any) -> bool:
    """An import's page: the job in scope (its uploader; the city), then the import action."""
    from enterprises.models import Enterprise

    return policy.can(user, "import", Enterprise)


def _may_see_county_dashboard(user: Any, county: Any) -> bool:
    """A county's dashboard: the county in scope, then the page's own rule."""
    return policy.can(user, "view", _resolve("reports.policies.CountyDashboard"))


SPECS: dict[str, Any] = {
    # portal and accounts
    "portal:home": SignedIn(),
    "portal:todo": SignedIn(),
    "portal:notifications": SignedIn(),
    "portal:notifications_read_all": SignedIn(method="post"),
    "portal:notification_settings": SignedIn(),
    "portal:notification_read": Obj("portal.Notification", None, method="post"),
    "portal:security_events": Page("portal.SecurityEvent", "view"),
    "portal:security_events_export": Page("portal.SecurityEvent", "export"),
    "portal:accounts": Page("portal.User", "manage_accounts"),
    "portal:account_create": Page(
        "portal.User", "create", kwargs=lambda user: {"role": "enterprise"}
    ),
    "portal:account_detail": Obj("portal.User", "edit"),
    "portal:account_edit": Obj("portal.User", "edit"),
    "portal:account_disable": Obj("portal.User", "disable", method="post"),
    "portal:account_enable": Obj("portal.User", "enable", method="post"),
    "portal:account_reset_password": Obj("portal.User", "reset_password", method="post"),
    "healthz": Public(),
    "login": Public(),
    "logout": SignedIn(method="post"),
    "password_change": SignedIn(),
    "password_change_done": SignedIn(),
    # reports (rules in reports.policies; the pages about no one row are marker classes there)
    "reports:dashboard": Page("reports.policies.CityDashboard", "view"),
    "reports:my_county_dashboard": Page("reports.policies.CountyWorkPage", "view"),
    "reports:county_dashboard": Obj("enterprises.County", allowed=_may_see_county_dashboard),
    "reports:county_home": Page("reports.policies.CountyWorkPage", "view"),
    "reports:targets": Page("reports.CountyTarget", "view_list"),
    "reports:target_edit": Page("reports.CountyTarget", "revise", kwargs=_this_year),
    "reports:target_detail": Obj("reports.CountyTarget"),
    "reports:target_submit": Obj("reports.CountyTarget", "submit", method="post"),
    "reports:target_accept": Obj("reports.CountyTarget", "accept", method="post"),
    "reports:target_return": Obj("reports.CountyTarget", "return", method="post"),
    "reports:submissions": Page("reports.Submission", "view_list"),
    "reports:submission_detail": Obj("reports.Submission"),
    "reports:submission_upload": Obj("reports.Submission", "upload", method="post"),
    "reports:submission_accept": Obj("reports.Submission", "accept", method="post"),
    "reports:submission_return": Obj("reports.Submission", "return", method="post"),
    "reports:submission_document": Obj(
        "reports.Submission", queryset=lambda qs: qs.exclude(document="")
    ),
    "reports:snapshots": Page("reports.ProgressSnapshot", "view_list"),
    "reports:snapshot_generate": Page("reports.ProgressSnapshot", "generate", method="post"),
    "reports:bulletin": Obj("reports.ProgressSnapshot"),
    "reports:bulletin_xlsx": Obj("reports.ProgressSnapshot"),
    "reports:year_setup": Page("reports.policies.YearSetup", "set_up"),
    "reports:year_deadline": Obj("reports.SubmissionDeadline", "setup", method="post"),
    "reports:evaluation": Page("reports.policies.Evaluation", "view"),
    "reports:evaluation_weights": Page("reports.EvaluationCriterion", "set_weights", method="post"),
    "reports:evaluation_xlsx": Page("reports.policies.Evaluation", "download"),
    # lookback: the campaign (回头看) and the city's audit of results (抽查审核)
    "lookback:campaign_list": SignedIn(),
    "lookback:campaign_open": Page("lookback.Campaign", "open", method="post"),
    "lookback:campaign_detail": Obj("lookback.Campaign"),
    "lookback:phase_reopen": Obj("lookback.Campaign", "reopen", method="post"),
    "lookback:self_check_list": Obj("lookback.Campaign", "oversee"),
    "lookback:self_check_edit": Obj(
        "enterprises.Enterprise",
        "record",
        pk_kwarg="enterprise_pk",
        extra=_first_campaign,
        allowed=_may_file_self_check,
    ),
    "lookback:ratings": Obj("lookback.Campaign", "oversee"),
    "lookback:agency_decide": Obj("reviews.ReviewAgency", "decide_standing"),
    "lookback:performance": Page("reviews.ReviewAgency", "performance"),
    "lookback:performance_xlsx": Page("reviews.ReviewAgency", "performance"),
    "lookback:performance_detail": Obj("reviews.ReviewAgency", "performance"),
    "lookback:performance_reviews": Obj("reviews.ReviewAgency", "performance"),
    "lookback:spot_checks": Obj("lookback.Campaign", "oversee"),
    "lookback:outcome_record": Obj("lookback.SpotCheckOutcome", "record", method="post"),
    "lookback:audit_list": Page("lookback.AuditRound", "browse"),
    "lookback:audit_detail": Obj("lookback.AuditRound"),
    "lookback:audit_close": Obj("lookback.AuditRound", "close", method="post"),
    "lookback:finding_record": Obj("lookback.AuditFinding", "record", method="post"),
    # enforcement: refusers (拒不创建), cases, inspections, the table of violations
    "enforcement:refuser_list": Page("enforcement.Refusal", "list"),
    "enforcement:refuser_mark": Obj("enterprises.Enterprise", "mark_refuser"),
    "enforcement:case_open": Obj("enterprises.Enterprise", "open_case", method="post"),
    "enforcement:case_list": Page("enforcement.Case", "list"),
    "enforcement:case_detail": Obj("enforcement.Case"),
    "enforcement:inspection_record": Obj("enforcement.Case", "inspect"),
    "enforcement:violation_add": Obj("enforcement.Case", "record_violation", method="post"),
    "enforcement:case_order": Obj("enforcement.Case", "order", method="post"),
    "enforcement:case_decide": Obj("enforcement.Case", "decide", method="post"),
    "enforcement:case_follow_up": Obj("enforcement.Case", "follow_up", method="post"),
    "enforcement:case_decide_escalated": Obj("enforcement.Case", "decide_escalated", method="post"),
    "enforcement:case_close": Obj("enforcement.Case", "close", method="post"),
    "enforcement:inspection_print": Obj("enforcement.Inspection", "print"),
    "enforcement:basis_list": Page("enforcement.LegalBasis", "list"),
    "enforcement:basis_add": Page("enforcement.LegalBasis", "add"),
    "enforcement:basis_edit": Obj("enforcement.LegalBasis", "edit"),
    # outreach: events (推进会、培训班、上门指导、样板参观、试点示范) and their reach
    "outreach:event_list": Page("outreach.OutreachEvent", "list"),
    "outreach:event_create": Page("outreach.OutreachEvent", "record"),
    "outreach:event_detail": Obj("outreach.OutreachEvent"),
    "outreach:dispatch_list": Page("outreach.DispatchMeeting", "list"),
    "outreach:dispatch_create": Page("outreach.DispatchMeeting", "hold"),
    "outreach:dispatch_detail": Obj("outreach.DispatchMeeting"),
    "outreach:dispatch_item_complete": Obj("outreach.DispatchItem", "complete", method="post"),
    # outreach: good practice (经验做法) and the city's hand scores (一把手工程、资金投入)
    "outreach:practice_list": Page("outreach.GoodPractice", "list"),
    "outreach:practice_create": Page("outreach.GoodPractice", "submit"),
    "outreach:practice_detail": Obj("outreach.GoodPractice"),
    "outreach:practice_file": Obj(
        "outreach.GoodPractice", queryset=lambda qs: qs.exclude(attachment="")
    ),
    "outreach:practice_feature": Obj("outreach.GoodPractice", "feature", method="post"),
    "outreach:practice_return": Obj("outreach.GoodPractice", "return", method="post"),
    "outreach:hand_scores": Page("outreach.HandScore", "list"),
    # enterprises: the registry, its creation lists, imports and accidents
    "enterprises:list": Page("enterprises.Enterprise", "list"),
    "enterprises:export": Page("enterprises.Enterprise", "export"),
    "enterprises:export_job": Obj("portal.Job", queryset=_exports, allowed=_may_export),
    "enterprises:export_download": Obj("portal.Job", queryset=_exports, allowed=_may_export),
    "enterprises:create": Page("enterprises.Enterprise", "create"),
    "enterprises:mine": Page("enterprises.Enterprise", "mine"),
    "enterprises:detail": Obj("enterprises.Enterprise"),
    "enterprises:edit": Obj("enterprises.Enterprise", "edit"),
    "enterprises:close": Obj("enterprises.Enterprise", "close"),
    "enterprises:creation_list": Page("enterprises.CreationListEntry", "list"),
    "enterprises:creation_list_export": Page("enterprises.CreationListEntry", "export"),
    "enterprises:creation_list_removal_evidence": Obj("enterprises.CreationListRemoval"),
    "enterprises:creation_list_bulk": Page("enterprises.CreationListEntry", "add"),
    "enterprises:creation_list_bulk_job": Obj(
        "portal.Job", "confirm_bulk_list", method="post", queryset=_bulk_adds
    ),
    "enterprises:creation_list_add": Page("enterprises.CreationListEntry", "add", method="post"),
    "enterprises:creation_list_remove": Obj(
        "enterprises.CreationListEntry", "remove", method="post"
    ),
    "enterprises:import": Page("enterprises.Enterprise", "import"),
    "enterprises:import_template": Page("enterprises.Enterprise", "import"),
    "enterprises:import_job": Obj("portal.Job", queryset=_imports, allowed=_may_import),
    "enterprises:import_confirm": Obj(
        "portal.Job", "confirm_import", method="post", queryset=_imports
    ),
    "enterprises:accident_list": SignedIn(),
    "enterprises:accident_create": Obj(
        "enterprises.Enterprise", "record_accident", pk_kwarg="enterprise_pk"
    ),
    "enterprises:accident_edit": Obj("enterprises.Accident", "edit"),
    # reviews: the review path
    "reviews:agency_home": Page("reviews.Review", "task_list"),
    "reviews:standard_list": Page("reviews.ScoringStandard", "browse"),
    "reviews:settings": Page("reviews.ReviewSettings", "view"),
    "reviews:applications": Page("reviews.Review", "application_queue"),
    "reviews:apply": Page("reviews.Review", "apply_page"),
    "reviews:re_review_queue": Page("reviews.Review", "re_review_queue"),
    "reviews:detail": Obj("reviews.Review"),
    "reviews:assign": Obj("reviews.Review", "assign"),
    "reviews:return": Obj("reviews.Review", "return", method="post"),
    "reviews:withdraw": Obj("reviews.Review", "withdraw", method="post"),
    "reviews:edit": Obj("reviews.Review", "edit"),
    "reviews:team": Obj("reviews.Review", "edit"),
    "reviews:scoring": Obj("reviews.Review", "edit"),
    "reviews:nc_add": Obj("reviews.Review", "edit"),
    "reviews:onsite_fix": Obj("reviews.Review", "edit"),
    "reviews:hazard_add": Obj("reviews.Review", "edit"),
    "reviews:hazard_delete": Obj(
        "reviews.HazardFinding",
        method="post",
        allowed=lambda user, hazard: policy.can(user, "edit", hazard.review),
    ),
    "reviews:report": Obj("reviews.Review"),
    "reviews:assignment_letter": Obj(
        "reviews.Review", queryset=lambda qs: qs.exclude(assignment_no="")
    ),
    "reviews:conclude": Obj("reviews.Review", "conclude", method="post"),
    "reviews:nc_answer": Obj("reviews.Nonconformity", "answer", method="post"),
    "reviews:nc_verify": Obj("reviews.Nonconformity", "verify", method="post"),
    # reviews: self-assessment (自评) and its evidence
    "reviews:assessment_list": SignedIn(),
    "reviews:assessment_start": Page("reviews.SelfAssessment", "start", method="post"),
    "reviews:assessment_detail": Obj("reviews.SelfAssessment"),
    "reviews:assessment_report": Obj("reviews.SelfAssessment"),
    "reviews:assessment_evidence_upload": Obj(
        "reviews.SelfAssessment", "edit", method="post", extra=_first_line
    ),
    "reviews:evidence_download": Obj("reviews.Evidence"),
    "reviews:assessment_evidence_delete": Obj(
        "reviews.Evidence",
        "delete",
        method="post",
        queryset=lambda qs: qs.filter(self_assessment_line__isnull=False),
    ),
    # reviews: confirmation, certificates and standing, announcements (公告), the public list
    "reviews:confirmation_list": Page("reviews.Certificate", "issue"),
    "reviews:confirm_review": Obj("reviews.Review", "confirm", method="post"),
    "reviews:recommend_review": Obj("reviews.Review", "recommend", method="post"),
    "reviews:certificate_list": Page("reviews.Certificate", "list"),
    "reviews:re_review_due": Page("reviews.Certificate", "list"),
    "reviews:certificate_detail": Obj("reviews.Certificate"),
    "reviews:certificate_print": Obj("reviews.Certificate"),
    "reviews:certificate_revoke": Obj("reviews.Certificate", "revoke", method="post"),
    "reviews:certificate_lift_suspension": Obj(
        "reviews.Certificate", "lift_suspension", method="post"
    ),
    "reviews:certificate_send_to_re_review": Obj(
        "reviews.Certificate", "send_to_re_review", method="post"
    ),
    "reviews:announcement_list": Page("reviews.Announcement", "list"),
    "reviews:announcement_create": Page("reviews.Announcement", "create"),
    "reviews:announcement_detail": Obj("reviews.Announcement", "view"),
    "reviews:announcement_edit": Obj("reviews.Announcement", "edit"),
    "reviews:announcement_publish": Obj("reviews.Announcement", "publish", method="post"),
    "reviews:announcement_export": Obj("reviews.Announcement", "export"),
    "reviews:objection_add": Obj("reviews.Announcement", "record_objection", method="post"),
    "reviews:objection_decide": Obj("reviews.Objection", "decide", method="post"),
    "reviews:public_list": Public(),
    # reviews: agencies and experts, their standing's follow-up, the dynamic list (动态名单)
    "reviews:agency_list": Page("reviews.ReviewAgency", "browse"),
    "reviews:agency_mine": Page("reviews.ReviewAgency", "mine"),
    "reviews:agency_create": Page("reviews.ReviewAgency", "create"),
    "reviews:agency_detail": Obj("reviews.ReviewAgency", "view"),
    "reviews:agency_edit": Obj("reviews.ReviewAgency", "edit"),
    "reviews:expert_create": Obj("reviews.ReviewAgency", "add_expert"),
    "reviews:expert_edit": Obj("reviews.Expert", "edit"),
    "reviews:change_list": Page("reviews.AgencyChangeRequest", "review_queue"),
    "reviews:change_decide": Obj("reviews.AgencyChangeRequest", "reject", method="post"),
    "reviews:warning_follow_up": Obj("reviews.AgencyWarning", "follow_up"),
    "reviews:reassign_list": Page("reviews.Review", "reassign_list"),
    "reviews:agency_public": Public(),
    "reviews:agency_public_xlsx": Public(),
    "reviews:edition_publish": Page("reviews.AgencyListEdition", "publish", method="post"),
    # integrity: draws anyone can verify, signals, revocation candidates (integrity.policies)
    "integrity:draw_list": Page("integrity.Draw", "manage"),
    "integrity:draw_freeze": Page("integrity.Draw", "freeze", method="post"),
    "integrity:draw_detail": Obj("integrity.Draw", "manage"),
    "integrity:draw_perform": Obj("integrity.Draw", "draw", method="post"),
    "integrity:draw_redraw": Obj("integrity.Draw", "redraw", method="post"),
    "integrity:draw_publish": Obj("integrity.Draw", "publish", method="post"),
    "integrity:experts_freeze": Obj(
        "lookback.SpotCheck",
        method="post",
        allowed=lambda user, obj: policy.can(user, "freeze", _resolve("integrity.Draw")),
    ),
    "integrity:signal_list": Page("integrity.Signal", "view"),
    "integrity:signal_export": Page("integrity.Signal", "export"),
    "integrity:signals_compute": Page("integrity.Signal", "compute", method="post"),
    "integrity:signal_detail": Obj("integrity.Signal", "view"),
    "integrity:signal_decide": Obj("integrity.Signal", "decide", method="post"),
    "integrity:settings": Page("integrity.IntegritySettings", "view"),
    "integrity:candidate_list": Page("integrity.RevocationCandidate", "view"),
    "integrity:candidate_detail": Obj("integrity.RevocationCandidate", "view"),
    "integrity:candidate_decide": Obj("integrity.RevocationCandidate", "decide", method="post"),
    "integrity:public_draws": Public(),
    "integrity:public_draw": Public(kwargs=_a_draw),
    "integrity:public_draw_json": Public(kwargs=_a_draw),
    "integrity:verify_script": Public(),
    "integrity:public_results": Public(),
}

ALLOWED_SKIP_PREFIXES = ("admin:",)  # Django's admin has its own permission system


def url_names() -> dict[str, URLPattern]:
    """Every named URL of the portal, with its namespace."""
    found: dict[str, URLPattern] = {}

    def walk(resolver: URLResolver, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, entry.namespace or namespace)
            elif entry.name:
                found[f"{namespace}:{entry.name}" if namespace else entry.name] = entry

    walk(get_resolver(), None)
    return {name: p for name, p in found.items() if not name.startswith(ALLOWED_SKIP_PREFIXES)}


def test_every_url_has_an_entry_in_the_matrix():
    missing = sorted(set(url_names()) - set(SPECS))
    stale = sorted(set(SPECS) - set(url_names()))
    assert not missing, f"URLs without a permission entry: {missing}"
    assert not stale, f"entries for URLs that no longer exist: {stale}"


# --- The world --------------------------------------------------------------------------------


@pytest.fixture
def world(settings):
    """A small demo city and one user per seat of the matrix."""
    settings.DEBUG = True
    return build_world()


def build_world(enterprises: int = 120) -> dict[str, Any]:
    """The demo city at that size (``seed_demo``, with DEBUG on) and one user per seat."""
    call_command("seed_demo", enterprises=enterprises, verbosity=0)
    from enterprises.models import Enterprise
    from reviews.models import ReviewAgency

    User = get_user_model()
    county = User.objects.get(username="county")
    firm = User.objects.get(username="enterprise")
    agency = User.objects.get(username="agency")
    other_county = User.objects.filter(role="county").exclude(county=county.county).first()
    other_firm_row = Enterprise.objects.exclude(county=county.county).order_by("pk").first()
    other_agency_row = ReviewAgency.objects.exclude(pk=agency.agency_id).order_by("pk").first()
    other_firm = User.objects.create(
        username="firm_b", role="enterprise", enterprise=other_firm_row
    )
    other_agency = User.objects.create(username="agency_b", role="agency", agency=other_agency_row)
    users = {
        "city": User.objects.get(username="city"),
        "county A": county,
        "county B": other_county,
        "firm A": firm,
        "firm B": other_firm,
        "agency A": agency,
        "agency B": other_agency,
        "admin": User.objects.get(username="admin"),
        "anonymous": None,
    }
    from portal.models import Notification

    for user in filter(None, users.values()):
        Notification.objects.create(recipient=user, title="演示通知", url="/")
    _registry_rows(county)
    _evidence_rows(firm)
    return users


def _registry_rows(county: Any) -> None:
    """What the demo city has none of: a finished import of county A and an accident."""
    import datetime as dt

    from enterprises.models import Accident, Enterprise
    from portal.models import Job

    Job.objects.create(
        kind="enterprise_import",
        owner=county,
        status=Job.Status.DONE,
        params={"filename": "名录.xlsx", "rows": 1},
        result={"stage": "done", "total": 1, "new": 1, "changed": 0, "unchanged": 0},
    )
    Job.objects.create(  # a bulk add to the creation list, previewed and not yet confirmed
        kind="creation_list_bulk",
        owner=county,
        params={"year": dt.date.today().year, "target_date": f"{dt.date.today().year}-12-31",
                "ids": [], "source": "按条件筛选"},
    )  # fmt: skip
    firm = Enterprise.objects.filter(county=county.county).order_by("pk").first()
    _removal_rows(county, firm)
    Accident.objects.create(enterprise=firm, occurred_on=dt.date(2016, 3, 5), deaths=0)
    _finished_export(county)


def _finished_export(owner: Any) -> None:
    """A large export county A made, its file on disk."""
    from pathlib import Path

    from django.conf import settings

    from portal.models import Job

    path = Path(settings.MEDIA_ROOT) / "exports" / "matrix.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK")
    Job.objects.create(
        kind="enterprise_export",
        owner=owner,
        status=Job.Status.DONE,
        total=1,
        params={"query": {}, "filename": "企业名录"},
        result={"path": "exports/matrix.xlsx", "filename": "企业名录.xlsx", "rows": 1},
    )


def _removal_rows(county: Any, firm: Any) -> None:
    """Removals from the creation list, with evidence, in county A and elsewhere."""
    from django.core.files.base import ContentFile

    from enterprises.models import CreationListRemoval, Enterprise

    elsewhere = Enterprise.objects.exclude(county=county.county).order_by("pk").first()
    for each in (firm, elsewhere):
        CreationListRemoval.objects.create(
            enterprise=each, county=each.county, year=2016, reason="duplicate",
            evidence=ContentFile(b"%PDF-1.4 demo", name="removal.pdf"), evidence_name="说明.pdf",
        )  # fmt: skip


def _evidence_rows(firm_user: Any) -> None:
    """Evidence files on self-assessments of firm A and of a firm elsewhere."""
    from django.core.files.base import ContentFile

    from reviews.models import Evidence, SelfAssessment

    mine = SelfAssessment.objects.filter(enterprise=firm_user.enterprise).first()
    elsewhere = SelfAssessment.objects.exclude(enterprise__county=firm_user.enterprise.county)
    for assessment in filter(None, [mine, elsewhere.first()]):
        Evidence.objects.create(
            enterprise=assessment.enterprise,
            self_assessment_line=assessment.lines.order_by("pk").first(),
            file=ContentFile(b"%PDF-1.4 demo", name="evidence.pdf"),
            original_name="培训记录.pdf",
            content_type="application/pdf",
            size=13,
            uploaded_by=firm_user,
        )


# --- The walk ---------------------------------------------------------------------------------

OK_STATUSES = {200, 204, 302, 303, 400, 405, 409}


def _status(user: Any, method: str, url: str) -> tuple[int, str]:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url)
    return response.status_code, response.get("Location", "")


def _expect_allowed(allowed: bool) -> str:
    return "ok" if allowed else "403"


def _judge(status: int, location: str, expected: str) -> bool:
    if status >= 500:
        return False
    if expected == "login":
        return status == 302 and "/accounts/login/" in location
    if expected == "ok":
        return status not in (403, 404) and status in OK_STATUSES
    return str(status) == expected


def _cases(name: str, spec: Any, users: dict[str, Any]):
    """(who, url, method, expected) for one URL."""
    if isinstance(spec, Public):
        url = reverse(name, kwargs=spec.kwargs() if spec.kwargs else None)
        for who in users:
            yield who, url, spec.method, "ok"
        return
    if isinstance(spec, SignedIn | Page):
        kwargs = spec.kwargs(None) if isinstance(spec, Page) and spec.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        for who, user in users.items():
            if user is None:
                expected = "login"
            elif isinstance(spec, SignedIn) or spec.subject is None:
                expected = "ok"
            else:
                expected = _expect_allowed(policy.can(user, spec.action, spec.subject_for()))
            yield who, url, spec.method, expected
        return
    yield from _object_cases(name, spec, users)


def _object_cases(name: str, spec: Obj, users: dict[str, Any]):
    model = spec.model_class()
    base = model.objects.all()
    if spec.queryset:
        base = spec.queryset(base)
    base = base.order_by("pk")
    any_row = base.first()
    assert any_row is not None, f"{name}: the demo city has no {model.__name__} to try"
    for who, user in users.items():
        if user is None:
            yield who, _url(name, spec, any_row), spec.method, "login"
            continue
        mine = base.for_user(user)
        inside = mine.first()
        outside = base.exclude(pk__in=mine.values("pk")).first()
        if inside is not None:
            if spec.allowed is not None:
                allowed = spec.allowed(user, inside)
            else:
                allowed = spec.action is None or policy.can(user, spec.action, inside)
            yield who, _url(name, spec, inside), spec.method, _expect_allowed(allowed)
        if outside is not None:
            yield f"{who} (out of scope)", _url(name, spec, outside), spec.method, "404"


def _url(name: str, spec: Obj, obj: Any) -> str:
    return reverse(name, kwargs={spec.pk_kwarg: obj.pk, **spec.extra(obj)})


def _namespaces() -> list[str]:
    return sorted({name.split(":")[0] if ":" in name else "" for name in SPECS})


@pytest.mark.parametrize("namespace", _namespaces())
def test_every_url_answers_every_role_as_scope_and_policy_say(world, namespace):
    failures = []
    for name, spec in SPECS.items():
        if (name.split(":")[0] if ":" in name else "") != namespace:
            continue
        for who, url, method, expected in _cases(name, spec, world):
            status, location = _status(world[who.split(" (")[0]], method, url)
            if not _judge(status, location, expected):
                failures.append(
                    f"{method.upper()} {url} ({name}) as {who}: {status}, expected {expected}"
                )
    assert not failures, "\n".join(failures)

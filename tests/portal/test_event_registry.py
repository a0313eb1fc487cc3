"""Every hand-over the programme knows is a declared event (``portal.events``), so that its
recipients are named in one place, its e-mail can be turned off, and a test holds who gets it.

``HANDOVERS`` is the list of workflow events the portal promises (one line each, who is told),
with the kinds that carry them and the test that holds "the right people, and only they".
"""

import ast
from pathlib import Path

import pytest

from portal import events
from portal.roles import Role

ROOT = Path(__file__).resolve().parents[2]
FIRM, COUNTY, AGENCY, CITY = Role.ENTERPRISE, Role.COUNTY, Role.AGENCY, Role.CITY

# (what happened, who is told, kinds, the test that holds who gets it)
HANDOVERS = [
    ("评审申请", {COUNTY}, ["reviews.application_received"],
     "tests/reviews/test_events.py::test_an_application_tells_its_county_and_links_to_the_queue"),
    ("评审申请退回", {FIRM}, ["reviews.application_returned"],
     "tests/reviews/test_events.py::test_a_returned_application_tells_the_firm_with_the_reason"),
    ("受理并委派、委派单", {FIRM, AGENCY},
     ["reviews.application_accepted", "reviews.assignment_letter"],
     "tests/reviews/test_events.py::test_an_assignment_tells_the_firm_and_sends_the_letter_to_the_agency"),
    ("提出不符合项", {FIRM}, ["reviews.nonconformity_raised"],
     "tests/reviews/test_events.py::test_a_nonconformity_tells_the_firm_its_next_step_and_deadline"),
    ("提交整改情况", {AGENCY}, ["reviews.nonconformity_answered"],
     "tests/reviews/test_events.py::test_an_answer_tells_the_agency"),
    ("整改核查通过、未通过", {FIRM},
     ["reviews.nonconformity_accepted", "reviews.nonconformity_rejected"],
     "tests/reviews/test_events.py::test_the_agencys_verdict_tells_the_firm"),
    ("作出评审结论", {COUNTY, FIRM},
     ["reviews.review_concluded_county", "reviews.review_concluded_firm"],
     "tests/reviews/test_events.py::test_a_conclusion_tells_the_county_to_confirm_and_the_firm_of_its_result"),
    ("确认、颁发证书", {FIRM}, ["reviews.review_confirmed"],
     "tests/reviews/test_events.py::test_a_confirmation_tells_the_firm_its_certificate_is_issued"),
    ("发布公示", {CITY, FIRM},
     ["reviews.publicity_published_city", "reviews.publicity_published_firm"],
     "tests/reviews/test_events.py::test_a_published_publicity_tells_the_city_and_the_listed_firms"),
    ("发布公告", {CITY, FIRM},
     ["reviews.announcement_published_city", "reviews.announcement_published_firm"],
     "tests/reviews/test_events.py::test_a_published_announcement_tells_the_city_and_the_listed_firms"),
    ("公示异议", {COUNTY, CITY}, ["reviews.objection_filed"],
     "tests/reviews/test_events.py::test_an_objection_tells_the_level_that_confirmed_the_result"),
    ("异议成立、退回重新评审", {FIRM}, ["reviews.objection_upheld"],
     "tests/reviews/test_events.py::test_an_upheld_objection_tells_the_firm_its_result_goes_back"),
    ("暂缓公告、解除暂缓", {COUNTY}, ["reviews.hold_placed", "reviews.hold_released"],
     "tests/reviews/test_events.py::test_a_hold_and_its_release_tell_the_county"),
    ("重新评审", {COUNTY}, ["reviews.re_reviews_opened"],
     "tests/reviews/test_events.py::test_re_reviews_of_a_held_year_tell_the_county"),
    ("撤销等级", {FIRM, COUNTY}, ["reviews.grade_revoked"],
     "tests/reviews/test_events.py::test_a_revocation_tells_the_firm_and_its_county"),
    ("证书暂停", {FIRM, COUNTY}, ["reviews.certificate_suspended"],
     "tests/reviews/test_events.py::test_a_suspension_tells_the_firm_and_its_county"),
    ("解除暂停", {FIRM, COUNTY}, ["reviews.suspension_lifted"],
     "tests/reviews/test_events.py::test_lifting_a_suspension_tells_the_firm_and_its_county"),
    ("评审机构警告及其整改期限", {AGENCY},
     ["reviews.agency_warned", "reports.reminder_agency_warning"],
     "tests/reviews/test_events.py::test_a_warning_tells_the_agency_its_deadline_and_reminds_it_before"),
    ("评审机构名单状态调整", {AGENCY}, ["reviews.agency_standing_changed"],
     "tests/reviews/test_events.py::test_a_removal_tells_the_agency_once"),
    ("年度目标提交", {CITY}, ["reports.target_submitted"],
     "tests/reports/test_events.py::test_a_submitted_target_tells_the_city"),
    ("年度目标审定、退回", {COUNTY}, ["reports.target_accepted", "reports.target_returned"],
     "tests/reports/test_events.py::test_the_citys_decision_on_a_target_tells_its_county"),
    ("上报材料", {CITY}, ["reports.submission_handed_in"],
     "tests/reports/test_events.py::test_a_document_handed_in_tells_the_city"),
    ("上报材料接收、退回", {COUNTY},
     ["reports.submission_accepted", "reports.submission_returned"],
     "tests/reports/test_events.py::test_the_citys_decision_on_a_document_tells_its_county"),
    ("诚信预警", {CITY}, ["integrity.signals_raised"],
     "tests/integrity/test_signals.py::test_new_signals_tell_the_city_and_nobody_else"),
    ("撤销候选", {CITY, COUNTY}, ["integrity.candidates_listed"],
     "tests/integrity/test_candidates.py::test_only_the_deciding_level_is_notified"),
    ("执法案件整改期限", {COUNTY}, ["reports.reminder_enforcement"],
     "tests/enforcement/test_reminders.py::test_only_the_cases_county_is_reminded"),
    ("抽查审核完成", {COUNTY}, ["lookback.audit_closed"],
     "tests/lookback/test_events.py::test_a_failing_audit_tells_its_county_of_the_result_and_the_hold"),
    ("县市区考评评审机构", {CITY}, ["lookback.rating_submitted"],
     "tests/lookback/test_events.py::test_each_rating_asks_the_city_and_its_decision_tells_the_agency"),
    ("回头看抽查限期整改", {FIRM}, ["lookback.spot_check_rectify"],
     "tests/lookback/test_events.py::test_a_spot_checks_order_to_rectify_tells_the_firm"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "who", "kinds", "test"), HANDOVERS, ids=[row[0] for row in HANDOVERS]
)
def test_every_handover_is_declared_for_its_people_and_has_its_test(what, who, kinds, test):
    declared = {e.kind: e for e in events.events()}
    for kind in kinds:
        assert kind in declared, f"{what}：{kind} 未声明"
        assert set(declared[kind].audience) <= who, (what, kind, declared[kind].audience)
    assert who == {role for kind in kinds for role in declared[kind].audience}, what
    path, name = test.split("::")
    source = (ROOT / path).read_text(encoding="utf-8")
    assert f"def {name}(" in source, f"{what}：缺少测试 {test}"
    body = source.split(f"def {name}(", 1)[1].split("\ndef ", 1)[0]
    assert all(kind in body or kind.rsplit("_", 1)[0] in body for kind in kinds), test


def test_every_declared_event_is_a_handover_above():
    """A new kind joins the table (and gets its test) when it is declared."""
    listed = {kind for row in HANDOVERS for kind in row[2]}
    reminders = {e.kind for e in events.events() if e.kind.startswith("reports.reminder_")}
    assert {e.kind for e in events.events()} - listed - reminders == set()


def _calls(name: str):
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", ".venv", "var") or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = getattr(func, "id", None) or getattr(func, "attr", None)
                if called == name:
                    yield path.relative_to(ROOT), node


@pytest.mark.parametrize("name", ["notify", "Notification", "build_notification"])
def test_no_notification_is_made_without_a_declared_kind(name):
    """Outside ``portal`` itself, a notification names its kind: declared, so that its e-mail
    can be turned off and its recipients are held by a test."""
    declared = {e.kind for e in events.events()}
    for path, call in _calls(name):
        if path.parts[0] == "portal" and path.name in ("notifications.py", "events.py"):
            continue
        keywords = {k.arg: k.value for k in call.keywords}
        assert "kind" in keywords, f"{path}:{call.lineno} {name}() 未指明通知类别"
        value = keywords["kind"]
        if isinstance(value, ast.Constant):
            assert value.value in declared, f"{path}:{call.lineno} {value.value} 未声明"

"""Draws anyone can verify (双随机一公开): the population is frozen and published before the
public value exists; the seed comes from that value, not from the city; the standalone program
recomputes a draw from its downloaded record alone."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Status
from integrity import algorithm
from integrity.models import Draw
from integrity.selectors import draw_record
from integrity.services.draws import (
    FIRST_STRATUM,
    SECOND_STRATUM,
    conflicted_experts,
    draw_freeze,
    draw_perform,
    draw_redraw,
)
from lookback.models import AuditRound, SpotCheck
from lookback.services import campaign_open, self_check_record
from portal.statemachine import TransitionRefused
from tests.factories import phases_ahead

pytestmark = pytest.mark.django_db

LOTTERY = "中国福利彩票双色球开奖号码"


def freeze_audit(city_user, zhifu, tomorrow):
    return draw_freeze(
        kind=Draw.Kind.AUDIT,
        year=timezone.localdate().year,
        actor=city_user,
        county=zhifu,
        public_value_source=LOTTERY,
        public_value_date=tomorrow,
    )


def test_freezing_publishes_every_firm_by_code_and_name_with_the_digest(
    passes, zhifu, city_user, tomorrow
):
    draw = freeze_audit(city_user, zhifu, tomorrow)
    codes = [m["code"] for m in draw.members]
    assert codes == sorted(f.credit_code for f in passes)
    assert {m["name"] for m in draw.members} == {f.name for f in passes}
    assert draw.digest == algorithm.population_digest(draw.members, draw.quotas)
    assert draw.algorithm_version == algorithm.VERSION == 2
    assert draw.quotas == {f"{zhifu.code} {zhifu.name}": 2}  # ten percent of 12, rounded up
    assert draw.status == Draw.Status.FROZEN and not draw.seed


def test_the_public_value_must_not_exist_when_the_population_is_frozen(passes, zhifu, city_user):
    with pytest.raises(ValidationError, match="今天以后"):
        freeze_audit(city_user, zhifu, timezone.localdate())


def test_the_value_cannot_be_entered_before_its_day(passes, zhifu, city_user, tomorrow):
    draw = freeze_audit(city_user, zhifu, tomorrow)
    with pytest.raises(TransitionRefused, match="才产生"):
        draw_perform(draw=draw, actor=city_user, public_value="03 07 12 19 25 31 + 09")


def test_the_draw_seeds_from_the_digest_and_the_public_value_and_opens_the_audit(
    passes, zhifu, city_user, tomorrow, arrive
):
    draw = freeze_audit(city_user, zhifu, tomorrow)
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value=" 03 07 12 19 25 31 + 09 ")
    draw.refresh_from_db()
    assert draw.seed == algorithm.sha256(f"{draw.digest}|03 07 12 19 25 31 + 09")
    assert len(draw.result) == 2
    audit = AuditRound.objects.get(draw_number=draw.number)
    drawn = set(audit.findings.values_list("enterprise__credit_code", flat=True))
    assert drawn == set(draw.result)
    with pytest.raises(TransitionRefused):  # a replayed click draws once
        draw_perform(draw=draw, actor=city_user, public_value="另一个数")


def drawn_record(client, draw):
    response = client.get(reverse("integrity:public_draw_json", args=[draw.number]))
    assert response.status_code == 200
    return json.loads(response.content)


def run_script(tmp_path: Path, record: dict) -> subprocess.CompletedProcess:
    script = tmp_path / "verify_draw.py"
    script.write_bytes(Client().get(reverse("integrity:verify_script")).content)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    # A clean interpreter: isolated (-I), without site-packages (-S), with an empty environment,
    # in a folder holding only the two downloads; so the program has only the standard library
    # and the record, as on a visitor's own machine.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(path)],
        capture_output=True,
        encoding="utf-8",
        cwd=tmp_path,
        env={},
        timeout=30,
    )


@pytest.fixture
def drawn(passes, zhifu, city_user, tomorrow, arrive):
    draw = freeze_audit(city_user, zhifu, tomorrow)
    arrive(tomorrow)
    return draw_perform(draw=draw, actor=city_user, public_value="2026140 03 07 12 19 25 31 09")


def test_a_logged_out_visitor_recomputes_the_draw_with_the_standalone_program(drawn, tmp_path):
    record = drawn_record(Client(), drawn)
    done = run_script(tmp_path, record)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("一致")


def test_a_changed_member_changes_the_digest_and_fails(drawn, tmp_path):
    record = drawn_record(Client(), drawn)
    record["population"][0]["name"] += "（改）"
    assert algorithm.population_digest(record["population"], record["quotas"]) != drawn.digest
    done = run_script(tmp_path, record)
    assert done.returncode == 1 and done.stdout.strip().endswith("不一致")
    assert "总体摘要" in done.stdout


def test_a_changed_public_value_fails(drawn, tmp_path):
    record = drawn_record(Client(), drawn)
    record["public_value"] = "2026141 01 02 03 04 05 06 07"
    done = run_script(tmp_path, record)
    assert done.returncode == 1 and "随机种子" in done.stdout


def test_a_changed_quota_fails_even_with_a_result_to_match(drawn, tmp_path):
    """The quotas are frozen with the population: one more firm drawn, the result recomputed to
    match it, is still caught, by the digest."""
    record = drawn_record(Client(), drawn)
    [stratum] = record["quotas"]
    record["quotas"][stratum] += 1
    record["result"] = algorithm.draw(record["population"], record["quotas"], record["seed"])
    done = run_script(tmp_path, record)
    assert done.returncode == 1 and "总体摘要" in done.stdout


def test_a_first_version_record_still_recomputes(drawn, tmp_path):
    """Draws made before the quotas entered the digest keep their version and still verify."""
    record = drawn_record(Client(), drawn)
    record["algorithm_version"] = 1
    record["population_digest"] = algorithm.sha256(algorithm.population_text(record["population"]))
    record["seed"] = algorithm.seed_of(record["population_digest"], record["public_value"])
    record["result"] = algorithm.draw(record["population"], record["quotas"], record["seed"])
    done = run_script(tmp_path, record)
    assert done.returncode == 0 and done.stdout.strip().endswith("一致"), done.stdout
    record["algorithm_version"] = 9
    assert "算法版本" in run_script(tmp_path, record).stdout


def test_a_swapped_result_fails(drawn, tmp_path):
    record = drawn_record(Client(), drawn)
    outside = next(m["code"] for m in record["population"] if m["code"] not in record["result"])
    record["result"][0] = outside
    assert run_script(tmp_path, record).returncode == 1


def test_the_public_page_needs_no_login_and_shows_no_database_ids(drawn):
    page = Client().get(drawn.get_public_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert drawn.digest in text and drawn.public_value in text and "一致" in text
    assert all(code in text for code in drawn.result)
    assert "企业ID" not in text


def test_a_redraw_without_a_reason_is_refused(drawn, city_user, tomorrow):
    with pytest.raises(ValidationError, match="理由"):
        draw_redraw(
            draw=drawn,
            actor=city_user,
            reason="  ",
            public_value_source=LOTTERY,
            public_value_date=tomorrow,
        )


def test_the_redraw_form_without_a_reason_changes_nothing(drawn, city_user, tomorrow):
    client = Client()
    client.force_login(city_user)
    response = client.post(
        reverse("integrity:draw_redraw", args=[drawn.pk]),
        {"redraw-reason": "   ", "redraw-public_value_source": LOTTERY,
         "redraw-public_value_date": tomorrow.isoformat()},
        follow=True,
    )  # fmt: skip
    assert "不能重新抽取：重新抽取理由" in response.content.decode()
    assert Draw.objects.count() == 1
    drawn.refresh_from_db()
    assert drawn.status == Draw.Status.DRAWN and not hasattr(drawn, "replaced_by")


def test_a_redraw_keeps_the_old_draw_and_says_why(drawn, city_user, arrive):
    later = timezone.localdate() + __import__("datetime").timedelta(days=1)
    new = draw_redraw(
        draw=drawn,
        actor=city_user,
        reason="抽中企业已注销",
        public_value_source=LOTTERY,
        public_value_date=later,
    )
    arrive(later)
    draw_perform(draw=new, actor=city_user, public_value="2026142 01 05 09 13 22 30 11")
    drawn.refresh_from_db()
    assert drawn.status == Draw.Status.SUPERSEDED and drawn.result  # kept, as it was
    assert new.replaces == drawn and new.reason == "抽中企业已注销"
    audit = AuditRound.objects.get()
    assert audit.draw_number == new.number
    assert set(audit.findings.values_list("enterprise__credit_code", flat=True)) == set(new.result)
    page = Client().get(drawn.get_public_url()).content.decode()
    assert new.number in page and "抽中企业已注销" in page


def test_a_redraw_after_a_result_is_recorded_is_refused(drawn, city_user, tomorrow):
    from lookback.services import audit_finding_record

    finding = AuditRound.objects.get().findings.first()
    audit_finding_record(finding=finding, actor=city_user, audited_result="pass", audited_score=80)
    with pytest.raises(TransitionRefused, match="已录入审核结果"):
        draw_redraw(
            draw=drawn,
            actor=city_user,
            reason="x",
            public_value_source=LOTTERY,
            public_value_date=tomorrow,
        )


# --- 回头看抽查: per county, self-check findings first ------------------------------------------


@pytest.fixture
def campaign(city_user):
    return campaign_open(year=timezone.localdate().year, actor=city_user, deadlines=phases_ahead())


def test_spot_check_firms_whose_self_check_found_problems_are_drawn_first(
    campaign, make_enterprise, zhifu, fushan, county_user, city_user, tomorrow, arrive
):
    firms = [make_enterprise(county=zhifu, status=Status.ANNOUNCED) for _ in range(8)]
    others = [make_enterprise(county=fushan, status=Status.ANNOUNCED) for _ in range(4)]
    for firm in firms[:2]:
        self_check_record(
            campaign=campaign,
            enterprise=firm,
            actor=county_user,
            system_built=True,
            runs_daily=False,
            agency_performed=True,
            problems="台账不全",
        )
    draw = draw_freeze(
        kind=Draw.Kind.SPOT_CHECK,
        year=campaign.year,
        actor=city_user,
        campaign=campaign,
        counties=[zhifu, fushan],
        size=3,
        public_value_source=LOTTERY,
        public_value_date=tomorrow,
    )
    first = f"{zhifu.code} {zhifu.name} 第1层：自查自纠或总结发现问题"
    assert draw.quotas[first] == 2 and draw.size == 6
    assert "自查自纠、政府组织排查或总结发现问题" in draw.rule
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value="12345")
    zhifu_check = SpotCheck.objects.get(county=zhifu)
    drawn = set(zhifu_check.outcomes.values_list("enterprise", flat=True))
    assert {firms[0].pk, firms[1].pk} <= drawn and len(drawn) == 3
    assert SpotCheck.objects.get(county=fushan).outcomes.count() == 3
    assert (
        not set(o.pk for o in others)
        - set(SpotCheck.objects.get(county=fushan).outcomes.values_list("enterprise", flat=True))
        - {others[i].pk for i in range(4)}
    )


def test_a_spot_check_drawn_by_county_and_tier_is_recomputed_by_the_program(
    campaign, make_enterprise, zhifu, fushan, county_user, city_user, tomorrow, arrive, tmp_path
):
    firms = [make_enterprise(county=zhifu, status=Status.ANNOUNCED) for _ in range(6)]
    for _ in range(5):
        make_enterprise(county=fushan, status=Status.ANNOUNCED)
    self_check_record(
        campaign=campaign, enterprise=firms[0], actor=county_user, system_built=True,
        runs_daily=True, agency_performed=True, problems="应急预案未演练",
    )  # fmt: skip
    draw = draw_freeze(
        kind=Draw.Kind.SPOT_CHECK, year=campaign.year, actor=city_user, campaign=campaign,
        counties=[zhifu, fushan], size=3, public_value_source=LOTTERY, public_value_date=tomorrow,
    )  # fmt: skip
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value="2026141 02 11 17 21 26 33 05")
    record = drawn_record(Client(), draw)
    assert len(record["quotas"]) == 3 and len(record["result"]) == 6  # 芝罘 two tiers, 福山 one
    done = run_script(tmp_path, record)
    assert done.returncode == 0 and done.stdout.strip().endswith("一致"), done.stdout

    # Moving a firm from the second tier into the first changes the population: refused.
    moved = next(
        m for m in record["population"] if "第2层" in m["stratum"] and "芝罘" in m["stratum"]
    )
    moved["stratum"] = moved["stratum"].replace(SECOND_STRATUM, FIRST_STRATUM)
    done = run_script(tmp_path, record)
    assert done.returncode == 1 and "总体摘要" in done.stdout


def test_a_draw_not_yet_drawn_is_not_reported_as_agreeing(
    passes, zhifu, city_user, tomorrow, tmp_path
):
    draw = freeze_audit(city_user, zhifu, tomorrow)
    done = run_script(tmp_path, drawn_record(Client(), draw))
    assert done.returncode == 1 and "尚未录入公开随机数" in done.stdout


def test_the_record_names_no_database_row(drawn):
    record = drawn_record(Client(), drawn)
    assert all(set(member) == {"stratum", "code", "name"} for member in record["population"])
    assert not any(key == "id" or key.endswith("_id") for key in record)
    assert all(len(code) == 18 for code in record["result"])  # 统一社会信用代码, not row ids


# --- 双随机: experts drawn from the pool, conflicts excluded ------------------------------------


def test_an_expert_with_a_conflict_is_never_drawn(
    campaign, make_enterprise, zhifu, city_user, agency, tomorrow, arrive, tmp_path
):
    from reviews.models import Expert, Review, ReviewTeamMember, ScoringStandard, SelfAssessment
    from tests.factories import AgencyFactory

    firms = [make_enterprise(county=zhifu, status=Status.ANNOUNCED) for _ in range(3)]
    reviewer = Expert.objects.create(name="评过的专家", certificate_no="Z-01")
    colleague = Expert.objects.create(name="同机构专家", certificate_no="Z-02", agency=agency)
    guide = Expert.objects.create(name="指导专家", certificate_no="Z-03")
    review = Review.objects.create(enterprise=firms[0], agency=agency)
    ReviewTeamMember.objects.create(review=review, expert=reviewer, is_leader=True)
    standard = ScoringStandard.objects.create(
        code="S",
        version="1",
        name="小微",
        kind="small_micro",
        effective_from=timezone.localdate(),
    )
    SelfAssessment.objects.create(enterprise=firms[1], standard=standard, guide_expert=guide)
    # The firm's self-assessment guided by an agency, and a guidance visit by another.
    guiding, visiting = AgencyFactory(name="指导机构"), AgencyFactory(name="帮扶机构")
    SelfAssessment.objects.create(enterprise=firms[2], standard=standard, guide_agency=guiding)
    guiding_colleague = Expert.objects.create(name="指导机构专家", certificate_no="Z-04",
                                              agency=guiding)  # fmt: skip
    visitor = Expert.objects.create(name="帮扶机构专家", certificate_no="Z-05", agency=visiting)
    from outreach.models import Attendance, EventKind, OutreachEvent

    visit = OutreachEvent.objects.create(
        county=zhifu, kind=EventKind.GUIDANCE, title="上门指导", held_on=timezone.localdate(),
        place="企业", organiser=visiting.name, created_by=city_user,
    )  # fmt: skip
    Attendance.objects.create(event=visit, enterprise=firms[2])
    conflicted = {reviewer, colleague, guide, guiding_colleague, visitor}
    free_agency = AgencyFactory()
    free = [
        Expert.objects.create(name=f"专家{n}", certificate_no=f"F-{n:02d}", agency=free_agency)
        for n in range(4)
    ]
    Expert.objects.create(name="不在库", certificate_no="X-1", is_active=False)
    Expert.objects.create(name="不参加抽查", certificate_no="X-2", spot_checks=False)
    assert conflicted_experts([f.pk for f in firms]) >= {e.pk for e in conflicted}

    from lookback.services import spot_check_draw

    spot = spot_check_draw(
        campaign=campaign, county=zhifu, actor=city_user, sample=[f.pk for f in firms]
    )
    draw = draw_freeze(
        kind=Draw.Kind.EXPERTS,
        year=campaign.year,
        actor=city_user,
        spot_check=spot,
        size=3,
        public_value_source=LOTTERY,
        public_value_date=tomorrow,
    )
    assert sorted(m["code"] for m in draw.members) == [e.certificate_no for e in free]
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value="777")
    names = spot.outcomes.first().experts
    assert len(names.split("、")) == 3
    assert not ({e.name for e in conflicted} | {"不在库", "不参加抽查"}) & set(names.split("、"))
    # Not in the population, so no public value can draw them; the record says who was drawn.
    record = drawn_record(Client(), draw)
    assert not {e.certificate_no for e in conflicted} & {m["code"] for m in record["population"]}
    assert "回避" in record["rule"]
    done = run_script(tmp_path, record)
    assert done.returncode == 0 and done.stdout.strip().endswith("一致"), done.stdout


def test_results_go_public_when_the_spot_check_round_closes(
    campaign, make_enterprise, zhifu, city_user, tomorrow, arrive
):
    from integrity.services.draws import draw_publish
    from lookback.services import spot_check_record

    firms = [make_enterprise(county=zhifu, status=Status.ANNOUNCED) for _ in range(3)]
    draw = draw_freeze(
        kind=Draw.Kind.SPOT_CHECK,
        year=campaign.year,
        actor=city_user,
        campaign=campaign,
        counties=[zhifu],
        size=3,
        public_value_source=LOTTERY,
        public_value_date=tomorrow,
    )
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value="1")
    with pytest.raises(TransitionRefused, match="未录入"):
        draw_publish(draw=draw, actor=city_user)
    for outcome in SpotCheck.objects.get().outcomes.all():
        spot_check_record(outcome=outcome, actor=city_user, result="passes", note="运行正常")
    results = reverse("integrity:public_results")
    before = Client().get(results, {"year": campaign.year}).content.decode()
    assert "运行正常" not in before and not any(f.name in before for f in firms)
    draw_publish(draw=draw, actor=city_user)
    page = Client().get(results, {"year": campaign.year})
    text = page.content.decode()
    assert page.status_code == 200  # no login
    assert all(f.name in text and f.credit_code in text for f in firms)  # the firms
    assert text.count("<td>合格</td>") == 3 and "运行正常" in text  # outcomes, decisions
    assert draw.number in text
    draw.refresh_from_db()
    assert draw.status == Draw.Status.PUBLISHED and draw.published_at
    assert draw_record(draw)["number"] == draw.number


def test_only_a_spot_check_round_is_published_and_only_by_the_city(
    drawn, campaign, city_user, county_user
):
    from integrity.services.draws import draw_publish

    with pytest.raises(TransitionRefused, match="只有回头看抽查"):
        draw_publish(draw=drawn, actor=city_user)
    client = Client()
    client.force_login(county_user)
    response = client.post(reverse("integrity:draw_publish", args=[drawn.pk]))
    assert response.status_code == 403
    drawn.refresh_from_db()
    assert drawn.status == Draw.Status.DRAWN

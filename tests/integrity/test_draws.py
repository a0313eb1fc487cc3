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
from integrity.services.draws import conflicted_experts, draw_freeze, draw_perform, draw_redraw
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
    assert draw.digest == algorithm.population_digest(draw.members)
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
    return subprocess.run(
        [sys.executable, "-I", str(script), str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
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
    assert algorithm.population_digest(record["population"]) != drawn.digest
    done = run_script(tmp_path, record)
    assert done.returncode == 1 and done.stdout.strip().endswith("不一致")
    assert "总体摘要" in done.stdout


def test_a_changed_public_value_fails(drawn, tmp_path):
    record = drawn_record(Client(), drawn)
    record["public_value"] = "2026141 01 02 03 04 05 06 07"
    done = run_script(tmp_path, record)
    assert done.returncode == 1 and "随机种子" in done.stdout


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
    return campaign_open(
        year=timezone.localdate().year, actor=city_user, deadlines=phases_ahead()
    )


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


# --- 双随机: experts drawn from the pool, conflicts excluded ------------------------------------


def test_an_expert_with_a_conflict_is_never_drawn(
    campaign, make_enterprise, zhifu, city_user, agency, tomorrow, arrive
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
    free_agency = AgencyFactory()
    free = [
        Expert.objects.create(name=f"专家{n}", certificate_no=f"F-{n:02d}", agency=free_agency)
        for n in range(4)
    ]
    Expert.objects.create(name="不在库", certificate_no="X-1", is_active=False)
    Expert.objects.create(name="不参加抽查", certificate_no="X-2", spot_checks=False)
    assert conflicted_experts([f.pk for f in firms]) >= {reviewer.pk, colleague.pk, guide.pk}

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
    assert not {"评过的专家", "同机构专家", "指导专家", "不在库", "不参加抽查"} & set(
        names.split("、")
    )


def test_results_go_public_when_the_spot_check_round_closes(
    campaign, make_enterprise, zhifu, city_user, tomorrow, arrive
):
    from integrity.services.draws import draw_publish
    from lookback.services import spot_check_record

    for _ in range(3):
        make_enterprise(county=zhifu, status=Status.ANNOUNCED)
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
    draw_publish(draw=draw, actor=city_user)
    page = Client().get(reverse("integrity:public_results"), {"year": campaign.year})
    assert "运行正常" in page.content.decode()
    assert draw_record(draw)["number"] == draw.number

"""The registry's part of the firm's standing (LISTING): put on the creation list and taken off
again, only by the firm's county, only from its states, every refusal with its reason, and a
raced transition applies once."""

import pytest

from enterprises.choices import Status
from enterprises.models import Enterprise
from enterprises.workflows import IMPORT_JOB, LISTING
from portal.audit import history_for
from portal.models import Job
from portal.roles import Role
from portal.statemachine import TransitionRefused, machine_for
from reviews.workflows.lifecycle import LIFECYCLE
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db

EXPECTED = {
    "put_on_list": ({Status.NOT_LISTED}, Status.LISTED),
    "take_off_list": ({Status.LISTED}, Status.NOT_LISTED),
}
COUNTY, ADMIN = "county", "admin"
WHO = {"put_on_list": {COUNTY, ADMIN}, "take_off_list": {COUNTY, ADMIN}}


def test_the_table_is_the_creation_lists():
    assert_table(LISTING, EXPECTED)


def test_the_firms_machine_is_the_registrys_part_and_the_reviews_part():
    joined = machine_for(Enterprise)
    assert set(joined.transitions) == set(LISTING.transitions) | set(LIFECYCLE.transitions)


@pytest.fixture
def users(seats):
    return seats


@pytest.mark.parametrize("name", list(EXPECTED))
def test_everyone_else_is_refused_and_told_why(name, users, firm):
    assert_only_these_may(LISTING, name, firm, users, WHO[name])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_transition_is_refused_from_every_other_state(name, users, firm):
    assert_refused_from_other_states(LISTING, name, firm, users[COUNTY])


def test_the_other_countys_refusal_names_the_county_rule(users, firm):
    firm.status = Status.NOT_LISTED
    with pytest.raises(Exception, match="只能调整本辖区企业的创建名单"):
        LISTING.check(firm, "put_on_list", actor=users["other county"])


def test_listing_is_kept_in_the_firms_history(users, firm):
    Enterprise.objects.filter(pk=firm.pk).update(status=Status.NOT_LISTED)
    firm.refresh_from_db()
    LISTING.apply(firm, "put_on_list", actor=users[COUNTY], note="2016年")
    entry = history_for(firm).get()
    assert entry.action == "纳入创建名单" and entry.note == "2016年"
    assert entry.changes == {"status": ["未纳入创建", "纳入创建名单"]}


def test_a_replayed_listing_changes_nothing(users, firm):
    Enterprise.objects.filter(pk=firm.pk).update(status=Status.NOT_LISTED)
    page = Enterprise.objects.get(pk=firm.pk)
    firm.refresh_from_db()
    LISTING.apply(firm, "put_on_list", actor=users[COUNTY])
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        LISTING.apply(page, "put_on_list", actor=users[COUNTY])
    assert history_for(firm).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_listings_at_once_apply_once(reference, make_enterprise, make_user, zhifu):
    firm = make_enterprise(county=zhifu, status=Status.NOT_LISTED)
    county = make_user(role=Role.COUNTY, county=zhifu)

    def put_on_list():
        LISTING.apply(Enterprise.objects.get(pk=firm.pk), "put_on_list", actor=county)

    assert race(put_on_list) == ["TransitionRefused", "ok"]
    assert history_for(firm).count() == 1


# --- An import's job: started by its uploader's confirmation ------------------------------------


@pytest.fixture
def import_job(county_user):
    from portal.jobs import job_start

    return job_start(kind="enterprise_import", owner=county_user)


def test_an_import_job_starts_only_from_the_queue_by_its_uploader(import_job, county_user, users):
    assert_table(
        IMPORT_JOB,
        {
            "confirm_import": ({Job.Status.QUEUED}, Job.Status.RUNNING),
            "discard_preview": ({Job.Status.QUEUED}, Job.Status.FAILED),
        },
    )
    others = {label: user for label, user in users.items() if label != COUNTY}
    assert_only_these_may(
        IMPORT_JOB, "confirm_import", import_job, {**others, "uploader": county_user}, {"uploader"}
    )
    assert_refused_from_other_states(IMPORT_JOB, "confirm_import", import_job, county_user)


def test_only_the_nightly_job_clears_a_stale_preview(import_job, county_user, users):
    everyone = {**users, "uploader": county_user}
    system = next(label for label, user in everyone.items() if user is None)
    assert_only_these_may(IMPORT_JOB, "discard_preview", import_job, everyone, {system})
    assert_refused_from_other_states(IMPORT_JOB, "discard_preview", import_job, None)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_start_the_import_once(reference, make_user, zhifu):
    from portal.jobs import job_start

    county = make_user(role=Role.COUNTY, county=zhifu)
    job = job_start(kind="enterprise_import", owner=county)

    def confirm():
        IMPORT_JOB.apply(Job.objects.get(pk=job.pk), "confirm_import", actor=county)

    assert race(confirm) == ["TransitionRefused", "ok"]
    assert history_for(job).count() == 1

"""A background job's status (portal.workflows.JOB): finished or failed by the system only,
never twice, its counters written as it goes."""

import pytest

from portal.audit import history_for
from portal.jobs import job_finish, job_progress, job_start
from portal.models import Job
from portal.roles import Role
from portal.statemachine import TransitionRefused
from portal.workflows import JOB
from tests.machines import (
    SYSTEM,
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db

UNFINISHED = {Job.Status.QUEUED, Job.Status.RUNNING}


def test_the_table():
    assert_table(
        JOB, {"finish": (UNFINISHED, Job.Status.DONE), "fail": (UNFINISHED, Job.Status.FAILED)}
    )


@pytest.mark.parametrize("name", ["finish", "fail"])
def test_only_the_system_finishes_a_job(name, make_user):
    owner = make_user(role=Role.COUNTY)
    job = job_start(kind="test", owner=owner)
    users = {"owner": owner, "admin": make_user(role=Role.ADMIN), SYSTEM: None}
    assert_only_these_may(JOB, name, job, users, {SYSTEM})
    assert_refused_from_other_states(JOB, name, job, None)


def test_progress_then_finish_keeps_the_result_and_a_finished_job_stays_finished(make_user):
    job = job_start(kind="test", owner=make_user(role=Role.COUNTY), total=10)
    job_progress(job.pk, done=4, message="进行中")
    job.refresh_from_db()
    assert (job.done, job.message, job.status) == (4, "进行中", Job.Status.QUEUED)
    job_finish(job.pk, result={"new": 3}, message="完成")
    job.refresh_from_db()
    assert (job.status, job.result, job.message) == (Job.Status.DONE, {"new": 3}, "完成")
    with pytest.raises(TransitionRefused):
        job_finish(job.pk, result={}, failed=True)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_finishing_one_job_finish_it_once(make_user):
    job = job_start(kind="test", owner=make_user(role=Role.COUNTY))

    def finish():
        job_finish(job.pk, result={"by": "worker"})

    assert race(finish) == ["TransitionRefused", "ok"]
    assert history_for(job).count() == 1

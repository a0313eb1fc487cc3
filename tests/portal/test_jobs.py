"""A background job's status (portal.workflows.JOB): finished or failed by the system only,
never twice, its counters written as it goes."""

from contextlib import contextmanager

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


# --- A job's task while the broker is down, and a job whose worker died ----------------------


def _unreachable_broker(settings):
    from portal.celery import app
    from tests.services import free_port

    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    app._pool = None
    app.amqp._producer_pool = None
    return app


@pytest.fixture
def broker_down(settings):
    from portal.celery import app

    before = app.conf.broker_url
    yield _unreachable_broker(settings)
    app.conf.broker_url = before
    app._pool = None
    app.amqp._producer_pool = None


def test_a_job_whose_task_cannot_be_queued_waits_and_is_sent_later(
    make_user, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    import datetime as dt

    from portal import jobs
    from portal.tasks import heartbeat

    job = job_start(kind="test", owner=make_user(role=Role.COUNTY))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.dispatch(heartbeat, job)
    job.refresh_from_db()
    assert job.params == {"task": "portal.tasks.heartbeat", "dispatch": "waiting"}
    assert job.message == jobs.WAITING_MESSAGE and job.status == Job.Status.QUEUED
    assert jobs.dispatch_if_waiting(job).params["dispatch"] == "waiting"  # tried just now
    assert jobs.dispatch_waiting_jobs() == 0  # still down: it waits on

    sent = []
    monkeypatch.setattr(heartbeat, "apply_async", lambda **kw: sent.append(kw["args"]))
    Job.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(minutes=1))
    job.refresh_from_db()
    assert jobs.dispatch_if_waiting(job).params["dispatch"] == "sent" and sent == [[job.pk]]
    assert jobs.dispatch_waiting_jobs() == 0 and sent == [[job.pk]]  # sent once


@contextmanager
def held_by_another_process(job_id: int):
    """The job's lock as a worker holds it: on PostgreSQL from a connection of its own (a
    session's advisory locks are its own to take again), on SQLite a lock file of its own."""
    from django.db import connection

    from portal import joblock

    if connection.vendor != "postgresql":
        with joblock.working_on(job_id):
            yield
        return
    import psycopg2

    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    key = [joblock.NAMESPACE, job_id]
    try:
        other.cursor().execute("SELECT pg_advisory_lock(%s, %s)", key)
        yield
        other.cursor().execute("SELECT pg_advisory_unlock(%s, %s)", key)  # a closed
    finally:  # connection's locks go a moment later, when its server process has ended
        other.close()


def test_an_import_whose_worker_died_while_writing_says_nothing_was_written(
    make_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    from enterprises import services

    settings.MEDIA_ROOT = tmp_path
    stored = tmp_path / "imports" / "a.xlsx"
    stored.parent.mkdir()
    stored.write_bytes(b"x")
    job = job_start(kind=services.IMPORT_JOB_KIND, owner=make_user(role=Role.COUNTY))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, result={"stage": "writing"}, params={"path": "imports/a.xlsx"}
    )
    job.refresh_from_db()
    with held_by_another_process(job.pk):  # a live worker holds it: nothing is said
        assert services.recover_interrupted_import(job).status == Job.Status.RUNNING
    with django_capture_on_commit_callbacks(execute=True):
        job = services.recover_interrupted_import(job)  # nobody holds it: the worker died
    assert job.status == Job.Status.FAILED and job.result["stage"] == "interrupted"
    assert job.message == services.IMPORT_INTERRUPTED and not stored.exists()
    services.run_import(job_id=job.pk)  # its task delivered again does nothing
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED

"""The portal's own machine: a background job's status (``portal.statemachine``).

A job is queued when it is created; the app that owns the work declares how it starts (an
import is started by its uploader's confirmation: ``enterprises.workflows``), and the job
finishes or fails by the system. Progress counters are not states and are written directly
(``portal.jobs.job_progress``).
"""

from __future__ import annotations

from .models import Job
from .statemachine import Machine, Transition

UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)

JOB = Machine(
    Job,
    [
        Transition("finish", UNFINISHED, Job.Status.DONE, "任务完成", action="finish_job"),
        Transition("fail", UNFINISHED, Job.Status.FAILED, "任务失败", action="finish_job"),
    ],
)

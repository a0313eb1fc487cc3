"""The portal's own rules (``portal.policy``): background jobs are finished by the system."""

from .models import Job
from .policy import rule, system

rule(Job, "finish_job")(system)

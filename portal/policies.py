"""The portal's own rules (``portal.policy``): background jobs are finished by the system."""

from .models import Job, SecurityEvent
from .policy import only, rule, system
from .roles import Role

rule(Job, "finish_job")(system)

# The security log is the city's to read and export (等保 2.0: the audit administrator).
rule(SecurityEvent, "view", "export")(only(Role.CITY, reason="只有市级用户可以查看安全日志"))

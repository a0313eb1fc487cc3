"""Reads of the integrity app; those that depend on who asks take the user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lookback.models import SpotCheck

from . import algorithm
from .models import Draw, RevocationCandidate


def draw_record(draw: Draw) -> dict[str, Any]:
    """The downloadable record: everything the standalone program needs, nothing else."""
    return {
        "说明": "烟台市安全生产标准化随机抽取记录；用 verify_draw.py 复算",
        "number": draw.number,
        "kind": draw.get_kind_display(),
        "rule": draw.rule,
        "algorithm_version": draw.algorithm_version,
        "population": draw.members,
        "population_digest": draw.digest,
        "quotas": draw.quotas,
        "public_value_source": draw.public_value_source,
        "public_value_date": draw.public_value_date.isoformat(),
        "public_value": draw.public_value or None,
        "seed": draw.seed or None,
        "result": draw.result,
        "replaces": draw.replaces.number if draw.replaces_id else None,
        "reason": draw.reason,
    }


def public_context(draw: Draw) -> dict[str, Any]:
    """What the public page shows beside the draw: whether it recomputes, and its family."""
    problems = algorithm.problems(draw_record(draw)) if draw.public_value else []
    replaced_by = Draw.objects.filter(replaces=draw).first()
    strata: dict[str, list[dict]] = {}
    for member in draw.members:
        strata.setdefault(member["stratum"], []).append(member)
    return {
        "recomputes": draw.public_value and not problems,
        "problems": problems,
        "replaced_by": replaced_by,
        "strata": [(name, rows, draw.quotas.get(name, 0)) for name, rows in strata.items()],
        "drawn_codes": set(draw.result),
    }


def spot_checks_for_experts(draw: Draw) -> list[SpotCheck]:
    """A drawn spot-check's county rounds, each with its expert draws so far."""
    if draw.kind != Draw.Kind.SPOT_CHECK or draw.status == Draw.Status.FROZEN:
        return []
    checks = list(
        SpotCheck.objects.filter(draw_number=draw.number).select_related("county", "campaign")
    )
    experts: dict[int, list[Draw]] = {}
    for row in Draw.objects.filter(spot_check__in=checks).order_by("number"):
        experts.setdefault(row.spot_check_id, []).append(row)
    for check in checks:
        check.expert_draws = experts.get(check.pk, [])
    return checks


def candidates_for(user: Any, *, status: str = "", level: str = "") -> QuerySet:
    """The revocation candidates ``user`` sees, narrowed to a status and a deciding level when
    they are ones the model knows (anything else is ignored)."""
    qs = RevocationCandidate.objects.for_user(user)
    if status in RevocationCandidate.Status.values:
        qs = qs.filter(status=status)
    if level in RevocationCandidate.Level.values:
        qs = qs.filter(level=level)
    return qs


def spot_check_findings_by_code(draw: Draw) -> dict[str, str]:
    """For the city's own page of a spot-check draw: what the campaign found at each firm of
    the population, in words ("" when nothing), by credit code. Not on the public page."""
    from enterprises.models import Enterprise
    from lookback.selectors import spot_check_findings

    if draw.kind != Draw.Kind.SPOT_CHECK or draw.campaign_id is None:
        return {}
    firms = list(Enterprise.objects.filter(credit_code__in=[m["code"] for m in draw.members]))
    found = spot_check_findings(campaign=draw.campaign, firms=firms)
    words: dict[str, str] = {}
    for firm in firms:
        row = found[firm.pk]
        parts = [
            f"{label}：{row[key]['words']}"
            for key, label in (("self", "企业自查"), ("government", "政府排查"))
            if row[key] and row[key]["words"]
        ]
        if row["summary"] and row["summary"]["found"]:
            parts.append(f"总结：{row['summary']['agency']}被考评为{row['summary']['rating']}")
        words[firm.credit_code] = "；".join(parts)
    return words

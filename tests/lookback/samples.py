"""The firms a public draw (``integrity``) would hand to an audit or a spot-check: the lookback
services take their sample as given, so these tests pick the first ones."""

from lookback.rules import audit_sample_size
from lookback.selectors import passed_firms, passes_of_year


def audit_sample(county, year: int) -> list[int]:
    firms = sorted(passes_of_year(county=county, year=year).values_list("enterprise", flat=True))
    return firms[: audit_sample_size(len(firms))]


def spot_sample(county, size: int = 3) -> list[int]:
    return sorted(passed_firms(county).values_list("pk", flat=True))[:size]

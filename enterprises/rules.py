"""The registry's rules from the law, each in one named place, as pure functions.

Firm size (企业规模) for industry (工业), by 工信部联企业〔2011〕300号《中小企业划型标准规定》:
从业人员 (people) and 营业收入 (revenue, 万元) together, tested in this order —
大型: at least 1,000 people and at least 40,000万元 (4亿元);
中型: otherwise at least 300 people and at least 2,000万元;
小型: otherwise at least 20 people and at least 300万元;
微型: everything else.
"""

from __future__ import annotations

from decimal import Decimal

from .choices import SizeClass

# (class, at least this many people, at least this revenue in 万元), largest first.
INDUSTRY_SIZE_THRESHOLDS: list[tuple[str, int, Decimal]] = [
    (SizeClass.LARGE, 1000, Decimal(40000)),
    (SizeClass.MEDIUM, 300, Decimal(2000)),
    (SizeClass.SMALL, 20, Decimal(300)),
]


def size_class(*, employees: int, revenue: Decimal) -> str:
    """The size class the law gives a firm of ``employees`` people and ``revenue`` 万元."""
    for size, people, income in INDUSTRY_SIZE_THRESHOLDS:
        if employees >= people and revenue >= income:
            return size
    return SizeClass.MICRO


def size_disagreement(
    *, size: str | None, employees: int | None, revenue: Decimal | None
) -> str | None:
    """Why a declared size is refused, or ``None``. The law needs both figures: with either
    missing the declared size stands."""
    if not size or employees is None or revenue is None:
        return None
    derived = size_class(employees=employees, revenue=Decimal(revenue))
    if derived == size:
        return None
    labels = dict(SizeClass.choices)
    return (
        f"按工信部联企业〔2011〕300号，从业人员{employees}人、营业收入{revenue}万元的企业"
        f"属于{labels[derived]}，不能登记为{labels.get(size, size)}"
    )

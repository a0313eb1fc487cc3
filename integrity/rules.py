"""The integrity app's stated rules, in one place: how a draw's population is made and how an
accident makes a revocation candidate. The thresholds the city tunes are ``IntegritySettings``.

- 抽查审核：各县市区当年达标企业按不低于10%抽取（``lookback.rules``）；
- 回头看抽查：每个县市区随机抽查3-5家；自查自纠、政府排查或总结（评审机构被考评为警告、
  建议清除）发现问题的企业单列第1层，市局可指定从该层抽取的家数，不指定则优先抽取；
- 双随机：抽查专家从专家库随机抽取，与被抽查企业有利害关系的专家回避；
- 事故：发生死亡事故，或较大及以上事故（死亡3人以上，或受伤10人以上）的持证企业列入撤销候选。
"""

from __future__ import annotations

from enterprises.choices import Grade

EXPERTS_PER_SPOT_CHECK = 3

# 《生产安全事故报告和调查处理条例》第三条：较大事故，3人以上10人以下死亡，或10人以上50人以下
# 重伤。The accident record keeps injuries without telling serious from light: counted as 重伤.
SERIOUS_DEATHS, SERIOUS_INJURIES = 3, 10


def spot_check_quotas(
    problems: int, others: int, size: int, *, with_findings: int | None = None
) -> tuple[int, int]:
    """How many of a county's ``size`` come from the firms with findings and from the others.

    By default the firms with findings are drawn first and the others fill up; when the city
    chooses ``with_findings``, that many come from the first stratum and the rest from the
    second, a stratum too small being made up from the other."""
    if with_findings is None:
        first = min(problems, size)
        return first, min(others, size - first)
    first = min(problems, with_findings, size)
    second = min(others, size - first)
    first += min(problems - first, size - first - second)  # the others ran short
    return first, second


def accident_class(*, deaths: int, injuries: int) -> str:
    if deaths >= SERIOUS_DEATHS or injuries >= SERIOUS_INJURIES:
        return "较大及以上事故"
    if deaths >= 1:
        return "死亡事故"
    return ""


def makes_candidate(*, deaths: int, injuries: int) -> bool:
    """An accident with a death, or a 较大 accident or worse."""
    return bool(accident_class(deaths=deaths, injuries=injuries))


def deciding_level(grade: str) -> str:
    """三级 and 达标 are the county's to announce; 一级、二级 the city's (and above)."""
    return "county" if grade in (Grade.LEVEL3, Grade.PASS) else "city"


ALGORITHM_TEXT = [
    "抽取总体：每个成员记为“分层、代码、名称”一行（企业用统一社会信用代码，专家用证书编号），"
    "按分层、代码升序排列；其后每个分层记一行“应抽、分层、应抽数量”，按分层排列；以 UTF-8 编码后"
    "计算 SHA-256，得到总体摘要，成员和各层应抽数量都在其中，事后改动任何一项摘要都会不同。"
    "总体冻结并公布摘要之后，才录入公开随机数。（第1版的摘要不含应抽数量。）",
    "随机种子：对“总体摘要｜公开随机数”计算 SHA-256（公开随机数去掉首尾空白）。",
    "抽取：在每个分层内，按“随机种子｜成员代码”的 SHA-256 值由小到大排序，取前若干名（各层应抽"
    "数量在冻结时已公布）。",
    "任何人可下载抽取记录和复算程序（Python 标准库即可运行），独立复算，结果显示“一致”或“不一致”。",
]

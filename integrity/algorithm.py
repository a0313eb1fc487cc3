#!/usr/bin/env python3
"""烟台市安全生产标准化随机抽取复算程序（算法第2版，兼容第1版）。

用法：python3 verify_draw.py 抽取记录.json
只用 Python 标准库；从公开页面下载的抽取记录（JSON）独立复算，打印“一致”或“不一致”。

算法第2版（与公开页面的中文说明相同）：
1. 抽取总体：每个成员一行“分层<TAB>代码<TAB>名称”，按分层、代码升序排列；其后每个分层一行
   “应抽<TAB>分层<TAB>应抽数量”，按分层升序排列；每行以换行结尾，用 UTF-8 编码后计算
   SHA-256，得到“总体摘要”（64位十六进制）。应抽数量与成员一同冻结，事后不能改动。
2. 随机种子：SHA-256（总体摘要 + “|” + 公开随机数），公开随机数去掉首尾空白。
3. 每个分层内，按 SHA-256（随机种子 + “|” + 成员代码）由小到大排序，取前“应抽数量”个；
   各层结果依分层顺序连接，即为抽取结果。
第1版与第2版只有一处不同：第1版的总体摘要只含成员各行，不含应抽数量。
"""

from __future__ import annotations

import hashlib
import json
import sys

VERSION = 2
SUPPORTED = (1, 2)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ordered(members: list[dict]) -> list[dict]:
    return sorted(members, key=lambda m: (m["stratum"], m["code"]))


def population_text(members: list[dict]) -> str:
    return "".join(f"{m['stratum']}\t{m['code']}\t{m['name']}\n" for m in ordered(members))


def quota_text(quotas: dict[str, int]) -> str:
    return "".join(f"应抽\t{stratum}\t{int(quotas[stratum])}\n" for stratum in sorted(quotas))


def population_digest(members: list[dict], quotas: dict[str, int], version: int = VERSION) -> str:
    """The frozen population's digest: its members and, from version 2 on, its quotas."""
    text = population_text(members)
    return sha256(text if version == 1 else text + quota_text(quotas))


def seed_of(digest: str, public_value: str) -> str:
    return sha256(f"{digest}|{public_value.strip()}")


def draw(members: list[dict], quotas: dict[str, int], seed: str) -> list[str]:
    """The drawn members' codes, stratum by stratum in the population's order."""
    result: list[str] = []
    strata = sorted({m["stratum"] for m in members})
    for stratum in strata:
        codes = [m["code"] for m in members if m["stratum"] == stratum]
        codes.sort(key=lambda code: sha256(f"{seed}|{code}"))
        result.extend(codes[: max(0, int(quotas.get(stratum, 0)))])
    return result


def problems(record: dict) -> list[str]:
    """What does not agree in a downloaded record; empty when everything agrees."""
    found = []
    version = int(record.get("algorithm_version", 0))
    if version not in SUPPORTED:
        found.append(f"算法版本第{version}版，本程序只能复算第1、2版")
        return found
    members = record["population"]
    digest = population_digest(members, record["quotas"], version)
    if digest != record["population_digest"]:
        found.append("总体摘要与抽取总体不符（总体被改动过）")
    if record.get("public_value") is None:
        found.append("尚未录入公开随机数")
        return found
    seed = seed_of(record["population_digest"], record["public_value"])
    if seed != record.get("seed"):
        found.append("随机种子与总体摘要、公开随机数不符")
    if draw(members, record["quotas"], seed) != record.get("result"):
        found.append("抽取结果与复算结果不符")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("用法：python3 verify_draw.py 抽取记录.json")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        record = json.load(handle)
    found = problems(record)
    print(f"抽取编号：{record.get('number', '')}")
    print(f"算法：第{record.get('algorithm_version', '')}版")
    print(f"总体：{len(record['population'])} 个成员；应抽 {sum(record['quotas'].values())} 个")
    for line in found:
        print(f"  - {line}")
    print("不一致" if found else "一致")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

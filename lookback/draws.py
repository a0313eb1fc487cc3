"""Reproducible, auditable random draws.

A draw records its seed, its population (ids, sorted) and the algorithm; anyone can recompute
it with ``recompute``. The algorithm is Python's ``random.Random(seed).sample(population, k)``
over the population sorted ascending by id — a documented, stable algorithm (Python guarantees
``random.Random`` reproducibility for a given seed across versions for ``sample``/``choice``
since 3.2 with string seeds via version-2 seeding).
"""

from __future__ import annotations

import random
import secrets

ALGORITHM = "Python random.Random(seed).sample(sorted(population), k)"
# What a page says of the algorithm (the stored ``ALGORITHM`` is for whoever recomputes it).
ALGORITHM_LABELS = {
    ALGORITHM: "以随机种子初始化伪随机数发生器，从按登记顺序排列的总体中不重复地抽取",
}


def algorithm_label(algorithm: str) -> str:
    return ALGORITHM_LABELS.get(algorithm, "已记录的抽取算法")


def new_seed() -> str:
    return secrets.token_hex(8)


def draw_sample(population: list[int], k: int, seed: str) -> list[int]:
    ordered = sorted(set(population))
    k = min(k, len(ordered))
    return sorted(random.Random(seed).sample(ordered, k))

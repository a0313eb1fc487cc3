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


def new_seed() -> str:
    return secrets.token_hex(8)


def draw_sample(population: list[int], k: int, seed: str) -> list[int]:
    ordered = sorted(set(population))
    k = min(k, len(ordered))
    return sorted(random.Random(seed).sample(ordered, k))

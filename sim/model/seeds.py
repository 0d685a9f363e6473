"""The seed plan of a sweep: common random numbers across design points.

One root :class:`numpy.random.SeedSequence` is built from the sweep's ``seed``. It spawns
one child per replication, and replication ``r`` uses the same child at every design
point. Two design points (or two strategies) compared on replication ``r`` therefore face
the same consumer draws and the same shocks as far as the model lets them, so their
paired difference is free of most sampling noise.

Each child is reduced to one integer (the run's scenario ``seed``) so that every run can
be repeated from its result row alone with ``sim.run(scenario, seed=seed)``. Spawning is
prefix-stable: the first ``R`` seeds of a plan with more replications are the seeds of a
plan with ``R``.
"""

from __future__ import annotations

import numpy as np

METHOD = (
    "numpy.random.SeedSequence(root_seed).spawn(replications); "
    "seed_r = int(child_r.generate_state(1, numpy.uint64)[0] >> 1)"
)


def child_seed(child: np.random.SeedSequence) -> int:
    """A non-negative 63-bit integer seed drawn from a spawned SeedSequence."""
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """The run seed of every replication.

    Args:
        root_seed: the sweep's root seed (>= 0).
        replications: number of replications (>= 1).

    Returns:
        One integer seed per replication, the same at every design point.
    """
    if root_seed < 0:
        raise ValueError(f"root seed must be >= 0, got {root_seed}")
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    root = np.random.SeedSequence(root_seed)
    return [child_seed(child) for child in root.spawn(replications)]


def seed_plan(root_seed: int, replications: int) -> dict:
    """The seed plan recorded in a sweep's manifest."""
    return {
        "root_seed": int(root_seed),
        "replications": int(replications),
        "method": METHOD,
        "common_random_numbers": True,
        "replication_seeds": replication_seeds(root_seed, replications),
    }

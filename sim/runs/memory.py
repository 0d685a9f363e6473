"""Memory a run needs, estimated from the scenario's sizes before it starts.

A run's memory grows with the consumers (their trait columns, and one awareness column
and several per-purchase temporaries per firm slot), with the edges of their social
network, and a little with the weeks recorded. The coefficients below were measured
as peak resident memory above the interpreter's (``benchmarks/bench_memory.py`` prints
estimate against measurement): about 100 bytes per consumer plus 7 per consumer and
firm slot, 26 per directed network edge built by the array generators and about 600 per
edge of a networkx graph. A margin of a quarter is added. A run whose estimate exceeds
the memory available is refused with the estimate and the largest consumer count that
fits, rather than failing with a ``MemoryError`` after minutes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from sim.scenario import InputError, NetworkGenerator, NetworkKind, Problem, Scenario

INTERPRETER_BYTES = 200_000_000
BYTES_PER_CONSUMER = 100
BYTES_PER_CONSUMER_AND_SLOT = 7
BYTES_PER_CONSUMER_AND_PLATFORM = 16
BYTES_PER_EDGE_ARRAYS = 26
BYTES_PER_EDGE_NETWORKX = 600
BYTES_PER_FIRM_WEEK = 600
BYTES_PER_WEEK = 2_000
MARGIN = 1.25


def firm_slots(scenario: Scenario) -> int:
    """Firm slots over the run: the firms at start and the entrants expected."""
    start = sum(firm.count for firm in scenario.firms)
    entrants = math.ceil(scenario.entry.rate_per_year * scenario.steps / 52)
    return start + entrants


def _per_consumer(scenario: Scenario) -> float:
    slots = firm_slots(scenario)
    per = (
        BYTES_PER_CONSUMER
        + BYTES_PER_CONSUMER_AND_SLOT * slots
        + BYTES_PER_CONSUMER_AND_PLATFORM * len(scenario.platforms)
    )
    network = scenario.network
    if network.kind not in (NetworkKind.none, NetworkKind.complete):
        networkx = network.generator is NetworkGenerator.networkx or (
            network.generator is NetworkGenerator.auto
            and scenario.consumers.count <= network.networkx_max_nodes
        )
        per_edge = BYTES_PER_EDGE_NETWORKX if networkx else BYTES_PER_EDGE_ARRAYS
        per += per_edge * network.mean_degree
    return per


def _fixed(scenario: Scenario) -> float:
    weeks = scenario.steps + 1
    return INTERPRETER_BYTES + weeks * (BYTES_PER_WEEK + BYTES_PER_FIRM_WEEK * firm_slots(scenario))


def estimate_bytes(scenario: Scenario) -> int:
    """Peak memory of a run of ``scenario``, in bytes, with a margin."""
    return int(MARGIN * (_fixed(scenario) + _per_consumer(scenario) * scenario.consumers.count))


def largest_consumer_count(scenario: Scenario, available: int) -> int:
    """The largest ``consumers.count`` whose estimate fits in ``available`` bytes (0 if none)."""
    room = available / MARGIN - _fixed(scenario)
    return max(0, int(room // _per_consumer(scenario)))


def available_bytes() -> int | None:
    """Memory this process may still use, in bytes (None when it cannot be told).

    The smaller of the system's available memory and the room left under a cgroup limit.
    """
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except OSError:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            found.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    room = address_space_room()
    if room is not None:
        found.append(room)
    return min(found) if found else None


def address_space_room() -> int | None:
    """Room left under this process's address-space limit (``ulimit -v``), or None.

    The limit (``RLIMIT_AS``) caps virtual memory, so the room is the limit less the
    virtual size already mapped (``VmSize`` in ``/proc/self/status``).
    """
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return None
    if limit == resource.RLIM_INFINITY:
        return None
    mapped = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                mapped = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return max(0, limit - mapped)


def _gigabytes(count: float) -> str:
    return f"{count / 1e9:.1f} GB"


def check_memory(scenario: Scenario, available: int | None = None, file: str = "") -> int:
    """Refuse a run that cannot fit in memory.

    Args:
        scenario: the resolved scenario.
        available: bytes available (measured by default).
        file: name used in the problem.

    Returns:
        The estimate in bytes.

    Raises:
        InputError: when the estimate exceeds the memory available; the problem gives
            both and the largest ``consumers.count`` that fits.
    """
    needed = estimate_bytes(scenario)
    available = available_bytes() if available is None else available
    if available is None or needed <= available:
        return needed
    largest = largest_consumer_count(scenario, available)
    fits = (
        f"the largest consumers.count that fits is about {_round_down(largest):,}"
        if largest >= 1
        else "no consumer count fits with these firms, network and weeks"
    )
    rule = (
        f"this run needs about {_gigabytes(needed)} of memory (estimate) and "
        f"{_gigabytes(available)} is available; {fits}"
    )
    count = scenario.consumers.count
    raise InputError(
        [Problem(file or f"<scenario {scenario.name}>", "consumers.count", count, rule)]
    )


def _round_down(value: int) -> int:
    """Down to two significant digits (12,345,678 -> 12,000,000)."""
    if value < 100:
        return value
    scale = 10 ** (len(str(value)) - 2)
    return value // scale * scale


def check_parallel_memory(scenarios: list[Scenario], processes: int, file: str = "") -> int:
    """Refuse running ``processes`` runs at once when their memory cannot fit.

    Each process holds one run at a time, so the largest run's estimate times the
    processes must fit in the memory available.

    Args:
        scenarios: the runs' scenarios (a sample of a sweep's design points suffices).
        processes: runs executed at once (worker processes).
        file: name used in the problem.

    Returns:
        The largest run's estimate in bytes.

    Raises:
        InputError: when they cannot fit; the problem says how many processes fit.
    """
    largest = max(scenarios, key=estimate_bytes)
    per_run = estimate_bytes(largest)
    available = available_bytes()
    if available is None or per_run * processes <= available:
        return per_run
    if per_run > available:
        check_memory(largest, available, file)
    fitting = max(1, available // per_run)
    rule = (
        f"{processes} runs at once need about {_gigabytes(per_run * processes)} of memory "
        f"(estimate; the largest run {_gigabytes(per_run)}) and {_gigabytes(available)} is "
        f"available; use --workers {fitting} or fewer"
    )
    raise InputError([Problem(file or "command line", "--workers", processes, rule)])

"""Consumers' social network, kept in compressed sparse row (CSR) arrays.

Word of mouth travels along the edges of an undirected social graph. Graphs are built
with networkx (Watts and Strogatz 1998, "Collective dynamics of 'small-world'
networks"; Barabasi and Albert 1999, "Emergence of scaling in random networks";
Erdos and Renyi 1959, "On random graphs I") and converted once to two arrays: node
``i``'s neighbours are ``indices[indptr[i]:indptr[i + 1]]``. A run never holds a Python
object per node or per edge.

networkx builds graphs one edge at a time in Python, which takes seconds for 10^5 nodes
and minutes for 10^6. For large populations the same random-graph families are
generated directly as arrays:

- ``watts_strogatz``: the ring lattice in which every node links to its ``k/2``
  neighbours on each side, each lattice edge rewired with probability ``beta`` to a
  uniformly drawn node. networkx redraws a target that would make a self-loop or a
  duplicate; the array version draws once and drops the rare self-loops and
  duplicates (an expected ``k/2 * beta * k / n`` per node), so mean degree, clustering
  and path length match to within sampling error.
- ``barabasi_albert``: linear preferential attachment with ``m`` edges per new node by
  the edge-list copying algorithm of Batagelj and Brandes (2005), "Efficient generation
  of large random networks", Phys. Rev. E 71, 036113: picking a uniformly random
  endpoint of an existing edge is picking a node with probability proportional to its
  degree. The recursion (an edge's target copies an earlier endpoint) is resolved for
  all edges at once by pointer jumping. As in the Bollobas-Riordan version of the
  model, the few self-loops and parallel edges are then dropped; the degree
  distribution keeps the ``P(k) ~ k^-3`` tail and mean degree ``~2m``.
- ``erdos_renyi``: ``G(n, p)`` is ``G(n, M)`` with ``M ~ Binomial(n(n-1)/2, p)``; ``M``
  distinct pairs are drawn uniformly (duplicates redrawn). This is exactly ``G(n, p)``.
- ``complete``: the mean-field case. Its ``n(n-1)`` edges are never stored: a node's
  neighbourhood is everyone else, so sums over neighbours are population totals less
  the node's own term (see :mod:`sim.mechanics.word_of_mouth`).

``tests/test_word_of_mouth.py`` compares the array generators with networkx on small
graphs.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

KINDS = ("none", "complete", "watts_strogatz", "barabasi_albert", "erdos_renyi")


@dataclass(frozen=True)
class SocialNetwork:
    """An undirected graph over ``n`` consumers in CSR form.

    Attributes:
        n: number of nodes (consumers).
        kind: the family it was drawn from.
        indptr: ``(n + 1,)`` int64 offsets; empty for ``complete`` and ``none``.
        indices: ``(2E,)`` int32 neighbour ids, each undirected edge stored both ways.
        mean_field: True for the complete graph, whose edges are implicit.
    """

    n: int
    kind: str
    indptr: np.ndarray
    indices: np.ndarray
    mean_field: bool = False

    @property
    def degree(self) -> np.ndarray:
        """Number of neighbours of each node."""
        if self.mean_field:
            return np.full(self.n, self.n - 1, dtype=np.int64)
        return np.diff(self.indptr)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        if self.mean_field:
            return self.n * (self.n - 1) // 2
        return len(self.indices) // 2

    @property
    def empty(self) -> bool:
        """True when no consumer has a neighbour."""
        return not self.mean_field and len(self.indices) == 0

    def neighbours(self, node: int) -> np.ndarray:
        """Neighbours of one node (for inspection and tests)."""
        if self.mean_field:
            return np.delete(np.arange(self.n), node)
        return self.indices[self.indptr[node] : self.indptr[node + 1]]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Distinct values in increasing order, by sort and mask.

    Much faster than ``np.unique`` on millions of int64 keys with recent numpy.
    """
    values = np.sort(values)
    if len(values) == 0:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def csr_from_edges(n: int, sources: np.ndarray, targets: np.ndarray) -> tuple:
    """CSR arrays of the undirected simple graph on ``n`` nodes with the given edges.

    Self-loops and repeated edges (in either direction) are dropped. Each distinct
    edge ``(low, high)`` is written into row ``high`` (neighbour ``low``) and row ``low``
    (neighbour ``high``); rows come out sorted because, in row ``r``, the neighbours
    stored from the high side are all below ``r`` and those from the low side above it.
    Memory stays at a few arrays of one entry per edge (no sort of both directions).

    Args:
        n: number of nodes.
        sources: one endpoint of each edge.
        targets: the other endpoint.

    Returns:
        ``(indptr, indices)``: int64 offsets and int32 neighbour ids, neighbours of a
        node in increasing order.
    """
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    keep = sources != targets
    keys = np.minimum(sources[keep], targets[keep])
    keys *= n
    keys += np.maximum(sources[keep], targets[keep])
    del keep
    keys = sorted_unique(keys)
    low = (keys // n).astype(np.int32)
    high = (keys % n).astype(np.int32)
    del keys
    as_low = np.bincount(low, minlength=n)
    as_high = np.bincount(high, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(as_low + as_high, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int32)
    # low side: edges are sorted by (low, high), so rank within a row is a running count
    start_of_row = indptr[:-1] + as_high - (np.cumsum(as_low) - as_low)
    destination = np.arange(len(low), dtype=np.int64)
    destination += start_of_row[low]
    indices[destination] = high
    # high side: a stable sort by high keeps lows ascending within each row
    order = np.argsort(high, kind="stable")
    start_of_row = indptr[:-1] - (np.cumsum(as_high) - as_high)
    destination = np.arange(len(low), dtype=np.int64)
    destination += start_of_row[high[order]]
    indices[destination] = low[order]
    return indptr, indices


def from_networkx(graph: nx.Graph, kind: str = "custom") -> SocialNetwork:
    """Convert a networkx graph on nodes ``0..n-1`` to a :class:`SocialNetwork`.

    Args:
        graph: an undirected graph whose nodes are the integers ``0..n-1``.
        kind: label of the family.

    Returns:
        The CSR network.
    """
    n = graph.number_of_nodes()
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    indptr, indices = csr_from_edges(n, edges[:, 0], edges[:, 1])
    return SocialNetwork(n, kind, indptr, indices)


def empty_network(n: int) -> SocialNetwork:
    """The network of kind ``none``: nobody talks to anybody."""
    return SocialNetwork(n, "none", np.zeros(n + 1, dtype=np.int64), np.zeros(0, np.int32))


def complete_network(n: int) -> SocialNetwork:
    """The complete graph, held implicitly (mean field)."""
    return SocialNetwork(
        n, "complete", np.zeros(0, dtype=np.int64), np.zeros(0, np.int32), mean_field=True
    )


def watts_strogatz_arrays(
    n: int, k: int, rewiring: float, rng: np.random.Generator
) -> SocialNetwork:
    """Small-world graph generated directly as arrays (see the module docstring).

    Args:
        n: number of nodes, > k.
        k: even number of lattice neighbours of each node.
        rewiring: probability ``beta`` that a lattice edge is rewired, in [0, 1].
        rng: generator.

    Returns:
        The CSR network.
    """
    if k % 2 or not 0 < k < n:
        raise ValueError(f"watts_strogatz needs an even k with 0 < k < n, got k={k}, n={n}")
    half = k // 2
    sources = np.repeat(np.arange(n, dtype=np.int64), half)
    targets = (sources + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(len(sources)) < rewiring
    targets[rewire] = rng.integers(0, n, int(rewire.sum()))
    indptr, indices = csr_from_edges(n, sources, targets)
    return SocialNetwork(n, "watts_strogatz", indptr, indices)


def barabasi_albert_arrays(n: int, m: int, rng: np.random.Generator) -> SocialNetwork:
    """Preferential-attachment graph by Batagelj and Brandes' edge copying.

    Edge ``e`` of node ``v`` (``e = v m + i``) is stored at positions ``2e`` (= ``v``)
    and ``2e + 1`` (its target), and the target copies the endpoint at a uniformly
    drawn position ``r`` in ``[0, 2e]``. A copied position that is itself a target is
    resolved by following its own draw, for all edges at once, until every target
    points at a source position (which holds a node id).

    Args:
        n: number of nodes, > m.
        m: edges added by each node.
        rng: generator.

    Returns:
        The CSR network.
    """
    if not 0 < m < n:
        raise ValueError(f"barabasi_albert needs 0 < m < n, got m={m}, n={n}")
    n_edges = n * m
    position = np.arange(n_edges, dtype=np.int64)
    draws = np.floor(rng.random(n_edges) * (2 * position + 1)).astype(np.int64)
    pointer = draws.copy()
    odd = pointer % 2 == 1
    while odd.any():
        pointer[odd] = draws[(pointer[odd] - 1) // 2]
        odd = pointer % 2 == 1
    sources = position // m
    targets = (pointer // 2) // m
    indptr, indices = csr_from_edges(n, sources, targets)
    return SocialNetwork(n, "barabasi_albert", indptr, indices)


def erdos_renyi_arrays(n: int, p: float, rng: np.random.Generator) -> SocialNetwork:
    """``G(n, p)`` as ``G(n, M)`` with binomial ``M`` (see the module docstring).

    Args:
        n: number of nodes.
        p: edge probability in [0, 1].
        rng: generator.

    Returns:
        The CSR network.
    """
    pairs_possible = n * (n - 1) // 2
    target = int(rng.binomial(pairs_possible, p)) if pairs_possible else 0
    if target > pairs_possible // 2:
        raise ValueError("erdos_renyi_arrays is for sparse graphs (p < 1/2); use networkx")
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < target:
        need = target - len(keys)
        a = rng.integers(0, n, need + need // 10 + 16)
        b = rng.integers(0, n, len(a))
        keep = a != b
        low, high = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
        keys = sorted_unique(np.concatenate([keys, low * n + high]))
        if len(keys) > target:
            keys = rng.choice(keys, target, replace=False)
    indptr, indices = csr_from_edges(n, keys // n, keys % n)
    return SocialNetwork(n, "erdos_renyi", indptr, indices)


def build_network(
    kind: str,
    n: int,
    mean_degree: int,
    rewiring: float,
    rng: np.random.Generator,
    use_networkx: bool,
) -> SocialNetwork:
    """Build the consumers' network.

    Args:
        kind: ``none``, ``complete``, ``watts_strogatz``, ``barabasi_albert`` or
            ``erdos_renyi``.
        n: number of consumers.
        mean_degree: ``k``: lattice neighbours (watts_strogatz), twice the edges per
            new node (barabasi_albert), expected degree (erdos_renyi, ``p = k/(n-1)``).
        rewiring: watts_strogatz rewiring probability.
        rng: the run's generator; networkx gets an integer seed drawn from it.
        use_networkx: build with networkx (True) or the array generators (False).

    Returns:
        The network.
    """
    if kind == "none":
        return empty_network(n)
    if kind == "complete":
        return complete_network(n)
    k = min(mean_degree, n - 1)
    if use_networkx:
        seed = int(rng.integers(0, 2**32 - 1))
        if kind == "watts_strogatz":
            graph = nx.watts_strogatz_graph(n, k - k % 2, rewiring, seed=seed)
        elif kind == "barabasi_albert":
            graph = nx.barabasi_albert_graph(n, max(1, k // 2), seed=seed)
        elif kind == "erdos_renyi":
            graph = nx.fast_gnp_random_graph(n, k / (n - 1), seed=seed)
        else:
            raise ValueError(f"unknown network kind {kind!r}; known: {KINDS}")
        return from_networkx(graph, kind)
    if kind == "watts_strogatz":
        return watts_strogatz_arrays(n, k - k % 2, rewiring, rng)
    if kind == "barabasi_albert":
        return barabasi_albert_arrays(n, max(1, k // 2), rng)
    if kind == "erdos_renyi":
        return erdos_renyi_arrays(n, k / (n - 1), rng)
    raise ValueError(f"unknown network kind {kind!r}; known: {KINDS}")

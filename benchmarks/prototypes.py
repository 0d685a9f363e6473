"""Prototype speed-ups of the engine, measured without editing ``sim/``.

Each prototype is code proposed for ``sim/``; :func:`install` patches it onto the classes
of the running process only (for ``profile_engine.py --variant`` and
``compare_prototypes.py``). Variants:

``numpy``     the choice stage in firm-major layout (utilities as ``(F+1, n)``, outside
              option in row 0): every operation runs along the long, contiguous axis,
              and the logit draw and the log-sum surplus share one ``exp`` pass. Pure
              numpy, no BLAS (a matrix-product version was fastest alone but 4x slower
              end to end on this 2-core machine once other processes ran: OpenBLAS
              threads oversubscribe the cores).
``numba``     the choice stage as one compiled pass per chooser (no ``(n, F)`` arrays);
              limited by numba's scalar ``exp``.
``hybrid``    two small numba loops (utilities; cumulative draw) around numpy's
              vectorised ``exp``.
``research``  ``MarketResearch.demand`` evaluates only the firm's own column, with the
              rivals' part of the logit denominator computed once per research sample.
``X+research``: both.

All variants draw the same uniforms from ``model.rng`` in the same order as the current
code, so runs stay reproducible; choices can differ from the current code's only where a
uniform falls within rounding error of a cumulative-probability boundary.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sim.mechanics.demand import NOT_AVAILABLE

# ----------------------------------------------------------------------------- numpy
# Proposed for sim/mechanics/demand.py (pure functions) and MarketModel.consumers_choose.


def firm_major_utilities(
    quality: np.ndarray,
    price: np.ndarray,
    log_selection: np.ndarray,
    experience: np.ndarray,
    price_sensitivity: np.ndarray,
    selection_taste: np.ndarray,
    experience_taste: np.ndarray,
    expectation: np.ndarray,
    habit_strength: np.ndarray,
    last_firm: np.ndarray,
    available: np.ndarray | None,
    outside_utility: float,
) -> np.ndarray:
    """Utilities laid out ``(F + 1, n)``: row 0 the outside option, row ``1 + j`` firm j.

    Same ``V_ij`` as :func:`sim.mechanics.demand.choice_utilities`, transposed, with the
    outside option prepended, so that every numpy operation runs along the long axis.

    Args:
        quality, price, log_selection, experience: per firm, shape ``(F,)``.
        price_sensitivity, selection_taste, experience_taste, expectation,
            habit_strength, last_firm: per chooser, shape ``(n,)``.
        available: ``(F, n)`` boolean, or None when every chooser can buy from every firm.
        outside_utility: ``u0``.

    Returns:
        ``(F + 1, n)`` utilities, ``-inf`` where not available.
    """
    n, n_firms = len(price_sensitivity), len(quality)
    utilities = np.empty((n_firms + 1, n))
    firms = utilities[1:]
    np.multiply.outer(-price, price_sensitivity, out=firms)
    firms += quality[:, None]
    term = np.multiply.outer(log_selection, selection_taste)
    firms += term
    np.multiply.outer(experience, experience_taste, out=term)
    firms += term
    firms -= experience_taste * expectation
    # Habit: one scatter-add per chooser into row last + 1; choosers with no last firm
    # (last = -1) land in row 0, which is then overwritten with the outside utility.
    flat = last_firm.astype(np.intp)
    flat += 1
    flat *= n
    flat += np.arange(n)
    utilities.reshape(-1)[flat] += habit_strength
    utilities[0] = outside_utility
    if available is not None:
        np.copyto(utilities[1:], NOT_AVAILABLE, where=~available)
    return utilities


def logit_choice_firm_major(
    utilities: np.ndarray, uniforms: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw logit choices and the log-sum with one ``exp`` pass; overwrites ``utilities``.

    Args:
        utilities: ``(K, n)``, alternatives by row (row 0 = outside option), ``-inf`` where
            not available. Overwritten with cumulative weights.
        uniforms: ``(n,)`` draws from U[0, 1).

    Returns:
        ``(choice, inclusive)``: the chosen row per consumer (0 = outside option) by
        inverting the cumulative weights, the rule of
        :func:`sim.mechanics.demand.sample_choices`; and the inclusive value
        ``ln sum_k exp(V_k)`` per consumer, as :func:`~sim.mechanics.demand.inclusive_value`.
    """
    top = np.maximum.reduce(utilities, axis=0)
    utilities -= top
    np.exp(utilities, out=utilities)
    for k in range(1, utilities.shape[0]):  # cumulative sum down the short axis
        np.add(utilities[k - 1], utilities[k], out=utilities[k])
    total = utilities[-1]
    threshold = uniforms * total
    chosen = np.count_nonzero(utilities <= threshold, axis=0)
    np.minimum(chosen, utilities.shape[0] - 1, out=chosen)
    return chosen, top + np.log(total)


def consumers_choose_numpy(self) -> None:
    """Consumers with a need pick a known firm or the outside option (logit)."""
    cols, rows = self.population.columns, self.choosers
    alive = self.alive_mask
    available = np.take(cols.aware, rows, axis=0)  # 3-4x faster than cols.aware[rows]
    available &= alive
    all_available = bool(available.all())
    if not all_available:
        available = np.ascontiguousarray(available.T)  # (F, n), like the utilities
    price_sensitivity = np.take(cols.price_sensitivity, rows)
    outside = self.spec.market.outside_utility
    utilities = firm_major_utilities(
        self.firm_vector("quality"),
        self.firm_vector("price"),
        np.log(np.maximum(self.firm_vector("selection"), 1.0)),
        self.firm_vector("experience"),
        price_sensitivity,
        np.take(cols.selection_taste, rows),
        np.take(cols.experience_taste, rows),
        np.take(cols.expectation, rows),
        np.take(cols.habit_strength, rows),
        np.take(cols.last_firm, rows),
        None if all_available else available,
        outside,
    )
    choice, inclusive = logit_choice_firm_major(utilities, self.rng.random(len(rows)))
    inclusive -= outside
    inclusive /= price_sensitivity
    self.stats.surplus_total = float(inclusive.sum())
    if all_available:
        self.needs_reached = np.where(alive, len(rows), 0)
    else:
        self.needs_reached = np.count_nonzero(available, axis=1)
    bought = choice > 0
    self.buyers = rows[bought]
    self.bought_from = (choice[bought] - 1).astype(np.int32)


# ----------------------------------------------------------------------------- numba


@functools.cache
def _numba_kernel():
    import numba

    @numba.njit(cache=True, nogil=True)
    def logit_choice_kernel(
        rows,
        price_sensitivity,
        selection_taste,
        experience_taste,
        expectation,
        habit_strength,
        last_firm,
        aware,
        alive,
        quality,
        price,
        log_selection,
        experience,
        outside_utility,
        uniforms,
        choice,
        surplus,
        needs_reached,
    ):
        n_firms = quality.shape[0]
        weights = np.empty(n_firms)
        for k in range(rows.shape[0]):
            i = rows[k]
            alpha = price_sensitivity[i]
            beta = selection_taste[i]
            gamma = experience_taste[i]
            expect = expectation[i]
            last = last_firm[i]
            top = outside_utility
            for j in range(n_firms):
                if alive[j] and aware[i, j]:
                    v = (
                        quality[j]
                        - alpha * price[j]
                        + beta * log_selection[j]
                        + gamma * (experience[j] - expect)
                    )
                    if j == last:
                        v += habit_strength[i]
                    weights[j] = v
                    needs_reached[j] += 1
                    if v > top:
                        top = v
                else:
                    weights[j] = -np.inf
            outside = math.exp(outside_utility - top)
            total = outside
            for j in range(n_firms):
                w = math.exp(weights[j] - top)
                weights[j] = w
                total += w
            surplus[k] = (top + math.log(total) - outside_utility) / alpha
            threshold = uniforms[k] * total
            cumulative = outside
            chosen = 0
            if cumulative <= threshold:
                chosen = n_firms
                for j in range(n_firms):
                    cumulative += weights[j]
                    if cumulative > threshold:
                        chosen = j + 1
                        break
            choice[k] = chosen

    return logit_choice_kernel


def logit_choice_numba(
    rows,
    cols,
    alive,
    quality,
    price,
    log_selection,
    experience,
    outside_utility,
    uniforms,
):
    """Choice (0 = outside), surplus in $ and needs reached per firm for choosers ``rows``."""
    n = len(rows)
    choice = np.empty(n, dtype=np.int32)
    surplus = np.empty(n)
    needs_reached = np.zeros(len(quality), dtype=np.int64)
    _numba_kernel()(
        rows,
        cols.price_sensitivity,
        cols.selection_taste,
        cols.experience_taste,
        cols.expectation,
        cols.habit_strength,
        cols.last_firm,
        cols.aware,
        alive,
        quality,
        price,
        log_selection,
        experience,
        float(outside_utility),
        uniforms,
        choice,
        surplus,
        needs_reached,
    )
    return choice, surplus, needs_reached


def consumers_choose_numba(self) -> None:
    """Consumers with a need pick a known firm or the outside option (logit)."""
    cols, rows = self.population.columns, self.choosers
    choice, surplus, needs_reached = logit_choice_numba(
        rows,
        cols,
        self.alive_mask,
        self.firm_vector("quality"),
        self.firm_vector("price"),
        np.log(np.maximum(self.firm_vector("selection"), 1.0)),
        self.firm_vector("experience"),
        self.spec.market.outside_utility,
        self.rng.random(len(rows)),
    )
    self.stats.surplus_total = float(surplus.sum())
    self.needs_reached = needs_reached
    bought = choice > 0
    self.buyers = rows[bought]
    self.bought_from = choice[bought] - 1


@functools.cache
def _hybrid_kernels():
    import numba

    @numba.njit(cache=True, nogil=True)
    def shifted_utilities(
        rows,
        price_sensitivity,
        selection_taste,
        experience_taste,
        expectation,
        habit_strength,
        last_firm,
        aware,
        alive,
        quality,
        price,
        log_selection,
        experience,
        outside_utility,
        shifted,
        top,
        needs_reached,
    ):
        """``shifted[k, c] = V_ck - max_k V_ck`` firm-major (row 0 outside); no exp."""
        n_firms = quality.shape[0]
        for c in range(rows.shape[0]):
            i = rows[c]
            alpha = price_sensitivity[i]
            beta = selection_taste[i]
            gamma = experience_taste[i]
            expect = expectation[i]
            last = last_firm[i]
            best = outside_utility
            for j in range(n_firms):
                if alive[j] and aware[i, j]:
                    v = (
                        quality[j]
                        - alpha * price[j]
                        + beta * log_selection[j]
                        + gamma * (experience[j] - expect)
                    )
                    if j == last:
                        v += habit_strength[i]
                    needs_reached[j] += 1
                    best = max(best, v)
                else:
                    v = -np.inf
                shifted[1 + j, c] = v
            shifted[0, c] = outside_utility - best
            for j in range(n_firms):
                shifted[1 + j, c] -= best
            top[c] = best

    @numba.njit(cache=True, nogil=True)
    def draw_choices(weights, uniforms, choice, total):
        """Inverse-CDF draw per column of exp-weights (row 0 outside); column totals."""
        n_alternatives = weights.shape[0]
        for c in range(weights.shape[1]):
            sum_c = 0.0
            for k in range(n_alternatives):
                sum_c += weights[k, c]
            total[c] = sum_c
            threshold = uniforms[c] * sum_c
            cumulative = 0.0
            chosen = 0
            for k in range(n_alternatives):
                cumulative += weights[k, c]
                chosen += cumulative <= threshold
            choice[c] = min(chosen, n_alternatives - 1)

    return shifted_utilities, draw_choices


def consumers_choose_hybrid(self) -> None:
    """Consumers with a need pick a known firm or the outside option (logit).

    Two small numba loops around numpy's vectorised ``exp``: the scalar compiled ``exp``
    is what limits the one-pass kernel.
    """
    shifted_utilities, draw_choices = _hybrid_kernels()
    cols, rows = self.population.columns, self.choosers
    n, n_firms = len(rows), len(self.firms)
    outside = self.spec.market.outside_utility
    weights = np.empty((n_firms + 1, n))
    top = np.empty(n)
    needs_reached = np.zeros(n_firms, dtype=np.int64)
    shifted_utilities(
        rows,
        cols.price_sensitivity,
        cols.selection_taste,
        cols.experience_taste,
        cols.expectation,
        cols.habit_strength,
        cols.last_firm,
        cols.aware,
        self.alive_mask,
        self.firm_vector("quality"),
        self.firm_vector("price"),
        np.log(np.maximum(self.firm_vector("selection"), 1.0)),
        self.firm_vector("experience"),
        float(outside),
        weights,
        top,
        needs_reached,
    )
    np.exp(weights, out=weights)
    choice = np.empty(n, dtype=np.int32)
    total = np.empty(n)
    draw_choices(weights, self.rng.random(n), choice, total)
    np.log(total, out=total)
    total += top
    total -= outside
    total /= np.take(cols.price_sensitivity, rows)
    self.stats.surplus_total = float(total.sum())
    self.needs_reached = needs_reached
    bought = choice > 0
    self.buyers = rows[bought]
    self.bought_from = choice[bought] - 1


# ----------------------------------------------------------------------------- research


def _rival_part(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sampled consumer, what stays fixed while the firm varies its own offer.

    ``ln(exp(u0) + sum_{k != own} exp(V_ik))`` (rivals' prices and stocks are fixed
    within one research sample), the own utility less its price, selection and experience
    terms, and whether the consumer can buy from the firm. Computed once per sample.
    """
    cache = self.__dict__.get("_rival_cache")
    if cache is not None:
        return cache
    utilities = self._utilities(self.price, self.selection, self.experience)
    own = self.own
    rivals = np.delete(utilities, own, axis=1)
    shift = np.maximum(rivals.max(axis=1, initial=NOT_AVAILABLE), self.outside_utility)
    rest = np.exp(self.outside_utility - shift) + np.exp(rivals - shift[:, None]).sum(axis=1)
    log_rest = shift + np.log(rest)
    base = self.quality[own] - self.experience_taste * self.expectation
    base = base + np.where(self.last_firm == own, self.habit_strength, 0.0)
    cache = (log_rest, base, self.available[:, own])
    object.__setattr__(self, "_rival_cache", cache)
    return cache


def research_demand(
    self,
    price: float | None = None,
    experience: float | None = None,
    selection: float | None = None,
) -> float:
    """Expected weekly units of the firm if it changed its own price or stocks.

    Own logit share ``s = 1 / (1 + exp(L - V_own))`` with ``L`` the log of the rest of the
    denominator, written as ``(1 - tanh((L - V_own) / 2)) / 2``, which cannot overflow.
    """
    log_rest, base, own_available = _rival_part(self)
    own = self.own
    price = self.price[own] if price is None else price
    experience = self.experience[own] if experience is None else experience
    selection = self.selection[own] if selection is None else selection
    gap = (
        log_rest
        - base
        + self.price_sensitivity * price
        - self.selection_taste * math.log(max(selection, 1.0))
        - self.experience_taste * experience
    )
    gap *= 0.5
    np.tanh(gap, out=gap)
    share = 0.5 - 0.5 * gap
    return float(self.weights @ np.where(own_available, share, 0.0))


# ----------------------------------------------------------------------------- install

VARIANTS = (
    "current",
    "numpy",
    "numba",
    "hybrid",
    "research",
    "numpy+research",
    "numba+research",
    "hybrid+research",
)


def install(variant: str) -> None:
    """Patch the prototype(s) named in ``variant`` onto the sim classes (this process)."""
    from sim.model.market import MarketModel
    from sim.strategies.base import MarketResearch

    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    parts = variant.split("+")
    if "numpy" in parts:
        MarketModel.consumers_choose = consumers_choose_numpy
    if "numba" in parts:
        _numba_kernel()
        MarketModel.consumers_choose = consumers_choose_numba
    if "hybrid" in parts:
        _hybrid_kernels()
        MarketModel.consumers_choose = consumers_choose_hybrid
    if "research" in parts:
        MarketResearch.demand = research_demand

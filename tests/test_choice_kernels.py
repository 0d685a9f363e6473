"""The choice stage's row-wise kernels give exactly what the whole-array formulas give.

``count_at_or_below``, ``turned_away`` (selection instead of a sort) and ``rechoose``
(row-by-row running sums) replaced whole-array numpy expressions for speed; the bytes of
every run must not change, so each is compared here, element for element, with the
whole-array expression written out in the test (ties and closed alternatives included).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanics import capacity as cap
from sim.mechanics.demand import alternative_utilities, count_at_or_below, logit_choose


def lexsort_turned_away(firm_of, keys, limits):
    """Rank each shopper within its firm by (key, position); beyond the limit is away."""
    order = np.lexsort((keys, firm_of))
    sorted_firm = firm_of[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_firm, sorted_firm, side="left")
    away = np.zeros(len(order), dtype=bool)
    away[order] = rank >= limits[sorted_firm]
    return away


def whole_array_rechoose(cumulative_weights, open_alternatives, uniforms):
    """Differences, masked, re-summed and counted on the whole array."""
    weights = np.diff(cumulative_weights, axis=0, prepend=0.0)
    weights *= np.asarray(open_alternatives, dtype=float)[:, None]
    np.cumsum(weights, axis=0, out=weights)
    total = weights[-1]
    chosen = np.count_nonzero(weights <= uniforms * total, axis=0)
    np.minimum(chosen, len(weights) - 1, out=chosen)
    chosen[total <= 0] = 0
    return chosen


@pytest.mark.parametrize("seed", range(40))
def test_turned_away_matches_a_stable_sort_including_ties(seed):
    rng = np.random.default_rng(seed)
    n_firms, shoppers = int(rng.integers(1, 8)), int(rng.integers(0, 80))
    firm_of = rng.integers(0, n_firms, shoppers)
    keys = rng.random(shoppers)
    if seed % 2:
        keys = np.round(keys, 1)  # many equal keys: the earlier shopper is served first
    limits = rng.integers(-1, 15, n_firms)
    away = cap.turned_away(firm_of, keys, limits)
    np.testing.assert_array_equal(away, lexsort_turned_away(firm_of, keys, limits))


def test_turned_away_serves_exactly_the_limit_of_an_over_full_firm():
    firm_of = np.array([0, 0, 0, 0, 1, 1])
    keys = np.array([0.9, 0.1, 0.5, 0.5, 0.3, 0.2])
    away = cap.turned_away(firm_of, keys, np.array([2, 5]))
    # firm 0 serves keys 0.1 and the first 0.5; firm 1 has room for both
    np.testing.assert_array_equal(away, [True, False, False, True, False, False])


@pytest.mark.parametrize("seed", range(40))
def test_rechoose_matches_whole_array_differences_and_cumsum(seed):
    rng = np.random.default_rng(100 + seed)
    alternatives, shoppers = int(rng.integers(2, 9)), int(rng.integers(0, 60))
    weights = np.exp(3.0 * rng.normal(size=(alternatives, shoppers)))
    weights[rng.random(weights.shape) < 0.2] = 0.0
    cumulative_weights = np.cumsum(weights, axis=0)
    open_alternatives = rng.random(alternatives) < 0.6
    open_alternatives[0] = seed % 5 != 0
    uniforms = rng.random(shoppers)
    got = cap.rechoose(cumulative_weights, open_alternatives, uniforms)
    expected = whole_array_rechoose(cumulative_weights, open_alternatives, uniforms)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype


def test_count_at_or_below_and_logit_choose_match_whole_array_counts():
    rng = np.random.default_rng(7)
    utilities = rng.normal(size=(11, 5000))
    utilities[3, ::7] = -np.inf
    uniforms = rng.random(5000)
    cumulative = np.cumsum(np.exp(utilities - utilities.max(axis=0)), axis=0)
    threshold = uniforms * cumulative[-1]
    counts = count_at_or_below(cumulative, threshold)
    np.testing.assert_array_equal(counts, np.count_nonzero(cumulative <= threshold, axis=0))
    chosen, inclusive = logit_choose(utilities.copy(), uniforms)
    expected = np.minimum(np.count_nonzero(cumulative <= threshold, axis=0), 10)
    np.testing.assert_array_equal(chosen, expected)
    np.testing.assert_allclose(inclusive, np.log(np.exp(utilities).sum(axis=0)))


def whole_array_utilities(quality, price, log_selection, experience, alpha, beta, gamma, e):
    """The firm rows of alternative_utilities as outer products on the whole array."""
    firms = np.multiply.outer(-price, alpha)
    firms += quality[:, None]
    firms += np.multiply.outer(log_selection, beta)
    firms += np.multiply.outer(experience, gamma)
    firms -= gamma * e
    return firms


@pytest.mark.parametrize("seed", range(5))
def test_alternative_utilities_match_the_whole_array_outer_products(seed):
    rng = np.random.default_rng(200 + seed)
    n_firms, n = 7, 3000
    firm_terms = [rng.normal(size=n_firms) for _ in range(4)]
    consumer_terms = [rng.lognormal(size=n) for _ in range(4)]
    habit = rng.random(n)
    last = rng.integers(-1, n_firms, n)
    available = rng.random((n_firms, n)) < 0.9
    got = alternative_utilities(*firm_terms, *consumer_terms, habit, last, available, -0.5)
    expected = whole_array_utilities(*firm_terms, *consumer_terms)
    has_last = last >= 0
    expected[last[has_last], np.flatnonzero(has_last)] += habit[has_last]
    expected[~available] = -np.inf
    np.testing.assert_array_equal(got[1:], expected)
    np.testing.assert_array_equal(got[0], -0.5)


def test_count_at_or_below_with_more_rows_than_a_byte_counts():
    rng = np.random.default_rng(9)
    cumulative = np.cumsum(rng.random((300, 400)), axis=0)
    threshold = rng.random(400) * cumulative[-1] * 1.2
    counts = count_at_or_below(cumulative, threshold)
    np.testing.assert_array_equal(counts, np.count_nonzero(cumulative <= threshold, axis=0))
    assert counts.max() == 300

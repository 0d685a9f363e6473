"""Consumer demand: multinomial logit choice with an outside option.

Source: McFadden (1974), "Conditional logit analysis of qualitative choice behavior";
Train (2009), *Discrete Choice Methods with Simulation*, ch. 3 (logit probabilities,
the log-sum inclusive value as expected consumer surplus); Anderson, de Palma and
Thisse (1992), *Discrete Choice Theory of Product Differentiation* (logit Bertrand
pricing). Everything here is a pure function over numpy arrays.
"""

from __future__ import annotations

import numpy as np

NOT_AVAILABLE = -np.inf


def choice_utilities(
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
    available: np.ndarray,
    habit_scale: np.ndarray | None = None,
) -> np.ndarray:
    """Deterministic utility of every firm for every consumer.

    ``V_ij = q_j - alpha_i p_j + beta_i ln(selection_j) + gamma_i (x_j - e_i)
    + h_i r_j [j = last_i]``; ``-inf`` where consumer i cannot choose firm j.
    ``r_j`` is 1 unless ``habit_scale`` says otherwise (a firm with no direct
    relationship with its buyers earns no habit: they are loyal to the intermediary).

    Args:
        quality: ``q_j``, base quality of each firm (utils), shape ``(F,)``.
        price: ``p_j`` ($ per unit), shape ``(F,)``.
        log_selection: ``ln(selection_j)``, shape ``(F,)``.
        experience: ``x_j``, experience quality delivered (utils), shape ``(F,)``.
        price_sensitivity: ``alpha_i`` (utils per $), shape ``(N,)``.
        selection_taste: ``beta_i`` (utils per log item), shape ``(N,)``.
        experience_taste: ``gamma_i`` (utils per experience unit), shape ``(N,)``.
        expectation: ``e_i`` (experience units), shape ``(N,)``.
        habit_strength: ``h_i`` (utils), shape ``(N,)``.
        last_firm: column index of the firm i last bought from, -1 if none, ``(N,)``.
        available: boolean ``(N, F)``, True where i knows firm j and j sells.
        habit_scale: ``r_j``, optional ``(F,)`` multiplier of the habit bonus.

    Returns:
        Array ``(N, F)`` of utilities.
    """
    utilities = (
        quality[None, :]
        - price_sensitivity[:, None] * price[None, :]
        + selection_taste[:, None] * log_selection[None, :]
        + experience_taste[:, None] * (experience[None, :] - expectation[:, None])
    )
    has_last = last_firm >= 0
    rows = np.nonzero(has_last)[0]
    if habit_scale is None:
        utilities[rows, last_firm[has_last]] += habit_strength[has_last]
    else:
        last = last_firm[has_last]
        utilities[rows, last] += habit_strength[has_last] * habit_scale[last]
    utilities[~available] = NOT_AVAILABLE
    return utilities


def logit_probabilities(utilities: np.ndarray, outside_utility: float) -> np.ndarray:
    """Multinomial logit choice probabilities with an outside option.

    ``P_ij = exp(V_ij) / (exp(u0) + sum_k exp(V_ik))``; column 0 of the result is the
    outside option, columns ``1..F`` the firms.

    Args:
        utilities: ``(N, F)`` deterministic utilities (``-inf`` = not available).
        outside_utility: ``u0``, deterministic utility of not buying.

    Returns:
        ``(N, F + 1)`` probabilities; rows sum to one.
    """
    n = utilities.shape[0]
    full = np.empty((n, utilities.shape[1] + 1))
    full[:, 0] = outside_utility
    full[:, 1:] = utilities
    full -= full.max(axis=1, keepdims=True)
    np.exp(full, out=full)
    full /= full.sum(axis=1, keepdims=True)
    return full


def sample_choices(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Draw one alternative per row by inverting the cumulative probabilities.

    Equivalent in distribution to adding i.i.d. Gumbel noise to the utilities and taking
    the arg-max (McFadden 1974), but needs one uniform draw per chooser instead of one
    per alternative.

    Args:
        probabilities: ``(N, K)`` row-stochastic matrix.
        uniforms: ``(N,)`` draws from U[0, 1).

    Returns:
        ``(N,)`` chosen column indices in ``0..K-1``.
    """
    cumulative = np.cumsum(probabilities, axis=1)
    thresholds = uniforms * cumulative[:, -1]
    chosen = (cumulative <= thresholds[:, None]).sum(axis=1)
    return np.minimum(chosen, probabilities.shape[1] - 1)


def alternative_utilities(
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
    habit_scale: np.ndarray | None = None,
) -> np.ndarray:
    """Utilities of every alternative by row: the layout of the population's choice stage.

    The same ``V_ij`` as :func:`choice_utilities`, transposed to ``(F + 1, N)`` with the
    outside option ``u0`` in row 0 and firm j in row ``1 + j``. With few firms and many
    consumers, every operation then runs along the long, contiguous axis, which numpy does
    several times faster than reductions across short rows.

    Args:
        quality: ``q_j`` (utils), shape ``(F,)``.
        price: ``p_j`` ($ per unit), shape ``(F,)``.
        log_selection: ``ln(selection_j)``, shape ``(F,)``.
        experience: ``x_j`` (experience units), shape ``(F,)``.
        price_sensitivity: ``alpha_i`` (utils per $), shape ``(N,)``.
        selection_taste: ``beta_i`` (utils per log item), shape ``(N,)``.
        experience_taste: ``gamma_i`` (utils per experience unit), shape ``(N,)``.
        expectation: ``e_i`` (experience units), shape ``(N,)``.
        habit_strength: ``h_i`` (utils), shape ``(N,)``.
        last_firm: firm index i last bought from, -1 if none, shape ``(N,)``.
        available: boolean ``(F, N)`` (True where consumer i can buy from firm j), or None
            when every consumer can buy from every firm.
        outside_utility: ``u0``.
        habit_scale: ``r_j``, optional ``(F,)`` multiplier of the habit bonus (see
            :func:`choice_utilities`).

    Returns:
        Array ``(F + 1, N)``; ``-inf`` where not available.
    """
    n, n_firms = len(price_sensitivity), len(quality)
    utilities = np.empty((n_firms + 1, n))
    utilities[0] = 0.0  # receives the habit of consumers with no last firm (see below)
    firms = utilities[1:]
    np.multiply.outer(-price, price_sensitivity, out=firms)
    firms += quality[:, None]
    term = np.multiply.outer(log_selection, selection_taste)
    firms += term
    np.multiply.outer(experience, experience_taste, out=term)
    firms += term
    firms -= experience_taste * expectation
    # Habit: one scatter-add per consumer into row last + 1; consumers with no last firm
    # (last = -1) land in row 0, which is then overwritten with the outside utility.
    flat = last_firm.astype(np.intp)
    flat += 1
    flat *= n
    flat += np.arange(n)
    if habit_scale is None:
        utilities.reshape(-1)[flat] += habit_strength
    else:
        utilities.reshape(-1)[flat] += habit_strength * habit_scale[last_firm]
    utilities[0] = outside_utility
    if available is not None:
        np.copyto(firms, NOT_AVAILABLE, where=~available)
    return utilities


def logit_choose(utilities: np.ndarray, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw logit choices and compute the log-sum in one pass over the weights.

    The draw is :func:`sample_choices` applied to the probabilities of
    :func:`logit_probabilities`, done on the unnormalised weights; the log-sum is
    :func:`inclusive_value`. Sharing the ``exp`` pass and skipping the normalisation
    roughly halves the work of computing them separately.

    Args:
        utilities: ``(K, N)`` utilities by alternative (row 0 the outside option), as
            returned by :func:`alternative_utilities`. Overwritten (with cumulative
            weights).
        uniforms: ``(N,)`` draws from U[0, 1).

    Returns:
        ``(choice, inclusive)``: the chosen row per consumer in ``0..K-1`` (0 = outside
        option) and ``ln sum_k exp(V_k)`` per consumer (utils).
    """
    top = np.maximum.reduce(utilities, axis=0)
    utilities -= top
    np.exp(utilities, out=utilities)
    for k in range(1, utilities.shape[0]):  # cumulative sum down the short axis
        np.add(utilities[k - 1], utilities[k], out=utilities[k])
    total = utilities[-1]
    threshold = uniforms * total
    chosen = count_at_or_below(utilities, threshold)
    np.minimum(chosen, utilities.shape[0] - 1, out=chosen)
    return chosen, top + np.log(total)


def count_at_or_below(cumulative: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Per column, the number of rows at or below the column's threshold.

    ``np.count_nonzero(cumulative <= threshold, axis=0)``, counted row by row into bytes
    (with fewer than 255 rows), so no ``(K, N)`` temporary is made.

    Args:
        cumulative: ``(K, N)`` values, e.g. cumulative choice weights.
        threshold: ``(N,)`` thresholds.

    Returns:
        ``(N,)`` counts in ``0..K`` (integers of the platform's index type).
    """
    small = cumulative.shape[0] < np.iinfo(np.uint8).max  # counts fit in a byte
    counts = np.zeros(cumulative.shape[1], dtype=np.uint8 if small else np.intp)
    below = np.empty(cumulative.shape[1], dtype=bool)
    for row in cumulative:
        np.less_equal(row, threshold, out=below)
        np.add(counts, below.view(np.uint8) if small else below, out=counts)
    return counts.astype(np.intp) if small else counts


def inclusive_value(utilities: np.ndarray, outside_utility: float) -> np.ndarray:
    """Log-sum ``ln(exp(u0) + sum_j exp(V_ij))`` per consumer (utils).

    Args:
        utilities: ``(N, F)`` deterministic utilities.
        outside_utility: ``u0``.

    Returns:
        ``(N,)`` inclusive values.
    """
    top = np.maximum(utilities.max(axis=1, initial=NOT_AVAILABLE), outside_utility)
    total = np.exp(outside_utility - top) + np.exp(utilities - top[:, None]).sum(axis=1)
    return top + np.log(total)


def consumer_surplus(
    utilities: np.ndarray, outside_utility: float, price_sensitivity: np.ndarray
) -> np.ndarray:
    """Expected consumer surplus in money of one shopping occasion.

    ``CS_i = (1 / alpha_i) [ln(exp(u0) + sum_j exp(V_ij)) - u0]``: the log-sum formula
    (Small and Rosen 1981; Train 2009 section 3.5), measured against having only the
    outside option, so a market with no firms gives zero.

    Args:
        utilities: ``(N, F)`` deterministic utilities.
        outside_utility: ``u0``.
        price_sensitivity: ``alpha_i`` (utils per $), the marginal utility of money.

    Returns:
        ``(N,)`` surplus in $.
    """
    return (inclusive_value(utilities, outside_utility) - outside_utility) / price_sensitivity


def expected_demand(
    utilities: np.ndarray, outside_utility: float, weights: np.ndarray
) -> np.ndarray:
    """Expected units per firm from a weighted set of consumers.

    Args:
        utilities: ``(N, F)`` deterministic utilities of the consumers in the set.
        outside_utility: ``u0``.
        weights: ``(N,)`` expected purchases each consumer stands for (need rate times
            the number of consumers the sample represents).

    Returns:
        ``(F,)`` expected units.
    """
    probabilities = logit_probabilities(utilities, outside_utility)[:, 1:]
    return weights @ probabilities


def log_sum_of_others(utilities: np.ndarray, own: int, outside_utility: float) -> np.ndarray:
    """Per consumer, ``L_i = ln(exp(u0) + sum_(k != own) exp(V_ik))``, computed stably.

    What a firm's own offer competes against: the outside option and every rival. Its
    logit share is then ``1 / (1 + exp(L_i - V_i,own))``.

    Args:
        utilities: ``(N, F)`` utilities (``NOT_AVAILABLE`` where a firm cannot be chosen).
        own: column of the firm left out.
        outside_utility: ``u0``.

    Returns:
        ``L``, shape ``(N,)``.
    """
    rivals = np.delete(utilities, own, axis=1)
    shift = np.maximum(rivals.max(axis=1, initial=NOT_AVAILABLE), outside_utility)
    rest = np.exp(outside_utility - shift) + np.exp(rivals - shift[:, None]).sum(axis=1)
    return shift + np.log(rest)


def logit_best_response_price(
    own: int,
    unit_cost: float,
    utilities_at_zero_own_price: np.ndarray,
    price_sensitivity: np.ndarray,
    outside_utility: float,
    weights: np.ndarray,
    start_price: float,
    tolerance: float = 1e-10,
    max_iterations: int = 500,
) -> float:
    """Profit-maximising price of one firm against fixed rival prices (mixed logit).

    Maximises ``(p - c) D(p)`` with ``D(p) = sum_i w_i s_ij(p)``. The first-order
    condition ``D(p) - (p - c) sum_i w_i alpha_i s_ij (1 - s_ij) = 0`` is solved by
    the fixed point ``p = c + D / sum_i w_i alpha_i s_ij (1 - s_ij)``, which for a
    single consumer type is the textbook ``p = c + 1 / (alpha (1 - s_j))``
    (Anderson, de Palma and Thisse 1992, ch. 7).

    Args:
        own: column of the deciding firm in ``utilities_at_zero_own_price``.
        unit_cost: marginal cost ``c`` ($ per unit).
        utilities_at_zero_own_price: ``(N, F)`` utilities with the firm's own price
            term removed (i.e. evaluated at ``p = 0``), rivals at their prices.
        price_sensitivity: ``alpha_i``, shape ``(N,)``.
        outside_utility: ``u0``.
        weights: ``(N,)`` weights of the consumers (see :func:`expected_demand`).
        start_price: initial guess ($).
        tolerance: convergence tolerance on the price ($).
        max_iterations: iteration cap.

    Returns:
        The best-response price (never below ``unit_cost``).
    """
    if not np.isfinite(utilities_at_zero_own_price[:, own]).any():
        return float(start_price)
    price = max(float(start_price), unit_cost)
    base = utilities_at_zero_own_price[:, own]
    # Rivals and the outside option stay put: L_i (log_sum_of_others) is computed once,
    # and the own share is 1 / (1 + exp(L_i - V_i,own)), evaluated as
    # (1 - tanh((L_i - V_i,own) / 2)) / 2 so it cannot overflow.
    rest = log_sum_of_others(utilities_at_zero_own_price, own, outside_utility)
    reachable = np.isfinite(base)
    gap_at_zero = np.where(reachable, rest - np.where(reachable, base, 0.0), 0.0)
    for _ in range(max_iterations):
        gap = 0.5 * (gap_at_zero + price_sensitivity * price)
        shares = np.where(reachable, 0.5 - 0.5 * np.tanh(gap), 0.0)
        demand = float(weights @ shares)
        slope = float(weights @ (price_sensitivity * shares * (1.0 - shares)))
        if slope <= 0.0 or demand <= 0.0:
            return price
        target = unit_cost + demand / slope
        new_price = price + 0.7 * (target - price)
        if abs(new_price - price) < tolerance:
            return new_price
        price = new_price
    return price


def logit_group_best_response_price(
    own: int,
    unit_cost: float,
    utilities_at_zero_own_price: np.ndarray,
    price_sensitivity: np.ndarray,
    outside_utility: float,
    weights: np.ndarray,
    start_price: float,
    siblings: tuple[int, ...] | list[int],
    sibling_markups: np.ndarray,
    tolerance: float = 1e-10,
    max_iterations: int = 500,
) -> float:
    """Price of one brand of a multi-brand owner that maximises the owner's profit.

    The owner earns ``sum_k (p_k - c_k) D_k`` over its brands ``G``. Holding the other
    brands' markups ``m_k`` fixed, the first-order condition for brand ``j`` is
    ``D_j - m_j B_j + sum_(k in G, k != j) m_k C_jk = 0`` with
    ``B_j = sum_i w_i alpha_i s_ij (1 - s_ij)`` and ``C_jk = sum_i w_i alpha_i s_ij s_ik``
    (a price rise on one brand sends some buyers to its siblings, so the owner loses
    less than a stand-alone firm would). It is solved by the fixed point
    ``p_j = c_j + (D_j + sum_k m_k C_jk) / B_j``. With identical consumers and ``n``
    symmetric brands this gives the textbook multiproduct markup
    ``m = 1 / (alpha (1 - S_G))``, ``S_G`` the owner's total share (Anderson, de Palma
    and Thisse 1992, ch. 7). With no siblings it is :func:`logit_best_response_price`.
    Brands updating in turn reach the owner's joint optimum.

    Args:
        own: column of the deciding brand.
        unit_cost: its marginal cost ($ per unit).
        utilities_at_zero_own_price: ``(N, F)`` utilities with the brand's own price
            term removed, rivals and siblings at their prices.
        price_sensitivity: ``alpha_i``, shape ``(N,)``.
        outside_utility: ``u0``.
        weights: ``(N,)`` consumer weights.
        start_price: initial guess ($).
        siblings: columns of the owner's other live brands.
        sibling_markups: their markups ``p_k - c_k`` ($), same order.
        tolerance: convergence tolerance on the price ($).
        max_iterations: iteration cap.

    Returns:
        The brand's best-response price (never below ``unit_cost``).
    """
    if not np.isfinite(utilities_at_zero_own_price[:, own]).any():
        return float(start_price)
    siblings = list(siblings)
    markups = np.asarray(sibling_markups, dtype=float)
    price = max(float(start_price), unit_cost)
    utilities = utilities_at_zero_own_price.copy()
    base = utilities_at_zero_own_price[:, own]
    for _ in range(max_iterations):
        utilities[:, own] = base - price_sensitivity * price
        probabilities = logit_probabilities(utilities, outside_utility)
        shares = probabilities[:, 1 + own]
        demand = weights @ shares
        weighted = weights * price_sensitivity * shares
        slope = weighted @ (1.0 - shares)
        if slope <= 0.0 or demand <= 0.0:
            return price
        diversion = weighted @ probabilities[:, [1 + k for k in siblings]] if siblings else 0.0
        target = unit_cost + (demand + np.sum(markups * diversion)) / slope
        new_price = price + 0.7 * (target - price)
        if abs(new_price - price) < tolerance:
            return float(new_price)
        price = float(new_price)
    return price

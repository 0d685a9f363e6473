"""Market research with noise: a stratified sample whose size and accuracy come from data.

Sources: the data claims of the source texts (CONCEPTS section 7: data tells a firm
what price customers will pay; section 5: Apple News+ shows a publisher clicks, not
readers). The statistics are standard sampling theory: Cochran (1977), *Sampling
Techniques*, 3rd ed., eq. 2.8 (variance of a mean with the finite-population
correction), eq. 5.6 (stratified random sampling) and ch. 13 (response errors: each
answer is the true value plus a measurement error).

A firm's research each quarter is a sample of consumers in two strata:

- **owned** (``h = O``): its own customers, whose relationship it holds (last bought
  direct from it). It knows who they are and watches what they buy, so it can study all
  of them (at most ``cap``, drawn at random beyond that) and infers their tastes from
  their purchases with a small error ``sigma_O = owned_noise * sqrt(1 - K)``, where ``K``
  is the owner's population knowledge from connected interactions
  (``sim.mechanics.learning.population_knowledge``; 0 without learning).
- **surveyed** (``h = R``): the rest of the market, a simple random sample of
  ``n_R = free + spend / cost`` respondents (free panel data plus what the firm pays
  for), each answering with a stated-preference error ``sigma_R = survey_noise``.

A sale through a platform gives the brand no owned customer: the platform reports
aggregate clicks and sales, which carry no individual tastes, so such buyers reach the
brand's research only if the survey happens to draw them. A platform owns the
relationships of everyone who bought through it and studies them all.

Each sampled consumer's taste ``theta_i`` (price sensitivity, experience taste,
selection taste) is observed as ``ln theta_hat_i = ln theta_i + sigma_h eps_i``,
``eps_i ~ N(0, 1)`` (a zero taste stays zero). The estimate of the market's mean log
taste weights stratum ``h`` by ``W_h = N_h / N`` and has variance

    V = sum_h W_h^2 [ (1 - n_h / N_h) S_h^2 + sigma_h^2 ] / n_h,

with ``S_h^2`` the variance of the log taste within the stratum. Limit cases: a census
of owned customers observed without error (``n_O = N_O = N``, ``sigma_O = 0``) gives
``V = 0``; a simple random sample of ``n`` gives ``V = [(1 - n/N) S^2 + sigma^2] / n``,
falling as ``1 / n``. The research's demand weights turn the sample into the whole
market: ``w_i = lambda_i N_h / n_h``.
"""

from __future__ import annotations

import math

import numpy as np


def survey_respondents(free: float, weekly_spend: float, cost_per_respondent: float) -> float:
    """Respondents a quarter's research budget buys on top of the free panel.

    ``n_R = free + 13 s / c``: a weekly spend ``s`` held over a 13-week quarter at ``c``
    dollars per respondent.

    Args:
        free: respondents every firm gets without paying (>= 0).
        weekly_spend: research spend, $ per week (>= 0).
        cost_per_respondent: ``c`` > 0, $ per respondent.

    Returns:
        Respondents (not rounded).
    """
    if cost_per_respondent <= 0:
        raise ValueError(f"cost_per_respondent must be > 0, got {cost_per_respondent}")
    return float(free) + 13.0 * max(float(weekly_spend), 0.0) / cost_per_respondent


def owned_noise_sd(owned_noise: float, knowledge: float) -> float:
    """Error of a taste inferred from an owned customer's purchases: ``s sqrt(1 - K)``.

    Args:
        owned_noise: ``s`` >= 0, log-sd with no learning.
        knowledge: ``K`` in [0, 1], the owner's population knowledge.

    Returns:
        The log-sd ``sigma_O``.
    """
    return float(owned_noise) * math.sqrt(max(0.0, 1.0 - float(knowledge)))


def stratum_sizes(population: int, owned: int, respondents: float, cap: int) -> tuple[int, int]:
    """Sample sizes ``(n_O, n_R)``: owned customers studied and respondents surveyed.

    ``n_O = min(N_O, cap)``, ``n_R = min(N - N_O, floor(respondents), cap)``.

    Args:
        population: ``N`` consumers.
        owned: ``N_O`` owned customers (<= N).
        respondents: survey respondents paid for or free.
        cap: largest sample per stratum (>= 1).

    Returns:
        ``(n_O, n_R)``.
    """
    if not 0 <= owned <= population:
        raise ValueError(f"owned customers must be in [0, {population}], got {owned}")
    rest = population - owned
    return min(owned, cap), min(rest, math.floor(max(respondents, 0.0)), cap)


def stratified_mean_variance(
    stratum_size: np.ndarray,
    sample_size: np.ndarray,
    within_variance: np.ndarray,
    noise_sd: np.ndarray,
) -> float:
    """Variance of the stratified estimate of a mean observed with response error.

    ``V = sum_h W_h^2 [(1 - n_h/N_h) S_h^2 + sigma_h^2] / n_h`` (Cochran 1977, eq. 5.6
    with the response-error term of ch. 13), ``W_h = N_h / sum N``. A stratum with
    ``N_h > 0`` but ``n_h = 0`` is not measured at all: ``V = inf``. Empty strata count
    for nothing.

    Args:
        stratum_size: ``N_h`` per stratum.
        sample_size: ``n_h`` per stratum (``<= N_h``).
        within_variance: ``S_h^2`` per stratum.
        noise_sd: ``sigma_h`` per stratum.

    Returns:
        ``V`` (inf when a non-empty stratum has no sample).
    """
    big = np.asarray(stratum_size, dtype=float)
    small = np.asarray(sample_size, dtype=float)
    spread = np.asarray(within_variance, dtype=float)
    noise = np.asarray(noise_sd, dtype=float)
    total = big.sum()
    if total <= 0:
        raise ValueError("the strata are empty")
    if np.any(small > big):
        raise ValueError(f"sample sizes {small} exceed stratum sizes {big}")
    present = big > 0
    if np.any(present & (small <= 0)):
        return math.inf
    weight = big[present] / total
    n = small[present]
    terms = weight**2 * ((1.0 - n / big[present]) * spread[present] + noise[present] ** 2) / n
    return float(terms.sum())


def observed_tastes(tastes: np.ndarray, noise_sd: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Tastes as research observes them: ``theta_hat = theta exp(sigma eps)``.

    Args:
        tastes: true tastes ``theta_i`` (>= 0), shape ``(n,)``.
        noise_sd: ``sigma`` per consumer (or a number).
        normals: ``eps_i``, standard normal draws, shape ``(n,)``.

    Returns:
        Observed tastes, same shape (a zero taste stays zero).
    """
    return np.asarray(tastes, dtype=float) * np.exp(np.asarray(noise_sd) * normals)


def log_variance(values: np.ndarray) -> float:
    """``S^2``: variance of ``ln theta`` over the positive values (0 if fewer than two)."""
    positive = np.asarray(values, dtype=float)
    positive = positive[positive > 0]
    if len(positive) < 2:
        return 0.0
    return float(np.var(np.log(positive), ddof=1))


def pricing_loss(contribution: float, share: float, variance: float) -> float:
    """Expected weekly profit lost by pricing on a misestimated price sensitivity.

    Second-order expansion of logit profit around the best response (Anderson, de Palma
    and Thisse 1992, ch. 7): with homogeneous price sensitivity ``alpha`` the best-response
    markup is ``m = 1 / (alpha (1 - s))`` and the profit's curvature there is
    ``pi'' = -alpha D``. An error ``delta`` in ``ln alpha`` moves the price by ``m delta``,
    so the expected loss is ``alpha D m^2 V / 2 = (m D) V / (2 (1 - s))``.

    Args:
        contribution: ``m D``, weekly contribution at the best response ($).
        share: ``s`` in [0, 1), the firm's logit share of the needs it reaches.
        variance: ``V``, variance of the error in ``ln alpha``.

    Returns:
        Expected weekly loss ($; inf when ``V`` is inf).
    """
    if not 0.0 <= share < 1.0:
        raise ValueError(f"share must be in [0, 1), got {share}")
    return 0.5 * max(contribution, 0.0) * variance / (1.0 - share)

"""Inventing on behalf of customers ("wandering"): experiments, failures, heavy-tailed wins.

Sources: Bezos, 2015 and 2018 letters to shareholders: most experiments fail; "a small
number of winners pay for thousands of failures"; the big winners return 10-100x
what exists, and customers did not know to ask for them. Scherer and Harhoff (2000),
"Technology policy for a world of skew-distributed outcomes": the value of inventions
follows a Pareto-like distribution in which the top few percent carry most of the
value. Madsen and Desai (2010), "Failing to learn? The effects of failure and success on
organizational learning": organisations learn more from failures than from successes,
so accumulated failures raise the odds of later success. Christensen (1997) and
Ulwick (2005) for latent ("unarticulated") needs that customers do not state in
research and value only once they see the product.

The rules, per firm and quarter:

- The quarter's innovation spend ``B`` buys ``n ~ Poisson(B / c)`` experiments at ``c``
  dollars each.
- Each succeeds with probability
  ``pi = v_eff (pi_0 + (pi_max - pi_0) (1 - exp(-f / phi)))``, where ``f`` counts the
  firm's past failures (the organisation learns from them), ``phi`` is the number of
  failures that closes 63% of the gap to ``pi_max``, and ``v_eff`` is the vitality
  factor (1 when vitality effects are off).
- A success's gain is ``g X`` with ``g`` the typical gain and ``X`` a Pareto multiple,
  ``P(X > x) = x^-a`` for ``x >= 1``, capped at ``X_max``: with ``a = 1`` one success in
  ten is worth 10x the typical gain and one in a hundred 100x.
- A share of successes meet a latent need: their gain is a rise in the product's
  quality, seen by consumers (and by the firm's market research) only at launch, some
  weeks later. The others raise the experience quality at once.
"""

from __future__ import annotations

import numpy as np


def success_probability(
    failures: float,
    base: float,
    ceiling: float,
    failures_to_learn: float,
    vitality_factor: float = 1.0,
) -> float:
    """Chance that an experiment succeeds, rising with past failures.

    ``pi = v (pi_0 + (pi_max - pi_0)(1 - exp(-f / phi)))``.

    Args:
        failures: ``f`` >= 0, failed experiments so far.
        base: ``pi_0``, chance of a first experiment, in [0, 1].
        ceiling: ``pi_max`` >= ``pi_0``, chance approached by an experienced firm.
        failures_to_learn: ``phi`` > 0.
        vitality_factor: ``v`` in [0, 1], the vitality multiplier.

    Returns:
        The probability, in [0, 1].
    """
    if failures_to_learn <= 0:
        raise ValueError(f"failures_to_learn must be > 0, got {failures_to_learn}")
    learned = 1.0 - np.exp(-max(failures, 0.0) / failures_to_learn)
    return float(np.clip(vitality_factor * (base + (ceiling - base) * learned), 0.0, 1.0))


def pareto_multiples(uniforms: np.ndarray, tail_index: float, cap: float) -> np.ndarray:
    """Gain multiples ``X`` with ``P(X > x) = x^-a`` on ``[1, cap]``, by inversion.

    ``X = (1 - u)^(-1/a)``, then capped at ``cap`` (the mass beyond the cap sits at
    the cap).

    Args:
        uniforms: draws from U[0, 1).
        tail_index: ``a`` > 0; smaller is heavier.
        cap: largest multiple, >= 1.

    Returns:
        Multiples in ``[1, cap]``.
    """
    if tail_index <= 0:
        raise ValueError(f"tail_index must be > 0, got {tail_index}")
    return np.minimum((1.0 - np.asarray(uniforms)) ** (-1.0 / tail_index), cap)


def expected_multiple(tail_index: float, cap: float) -> float:
    """Mean of the capped Pareto multiple (for planning and documentation).

    ``E[min(X, C)] = int_0^C P(X > x) dx = 1 + (C^(1-a) - 1) / (1 - a)`` (``1 + ln C``
    when ``a = 1``).

    Args:
        tail_index: ``a`` > 0.
        cap: ``C`` >= 1.

    Returns:
        The mean multiple.
    """
    if np.isclose(tail_index, 1.0):
        return float(1.0 + np.log(cap))
    return float(1.0 + (cap ** (1.0 - tail_index) - 1.0) / (1.0 - tail_index))


def run_experiments(
    budget: float,
    experiment_cost: float,
    failures: float,
    base: float,
    ceiling: float,
    failures_to_learn: float,
    vitality_factor: float,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """How many experiments a quarter's budget runs and how many succeed.

    Args:
        budget: dollars spent on experiments this quarter.
        experiment_cost: ``c`` > 0, dollars per experiment.
        failures: failures before this quarter.
        base: see :func:`success_probability`.
        ceiling: see :func:`success_probability`.
        failures_to_learn: see :func:`success_probability`.
        vitality_factor: see :func:`success_probability`.
        rng: generator.

    Returns:
        ``(experiments, successes)``.
    """
    if budget <= 0:
        return 0, 0
    experiments = int(rng.poisson(budget / experiment_cost))
    if experiments == 0:
        return 0, 0
    chance = success_probability(failures, base, ceiling, failures_to_learn, vitality_factor)
    return experiments, int(rng.binomial(experiments, chance))

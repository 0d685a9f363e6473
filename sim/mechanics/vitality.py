"""Vitality: how Day 1 firms stay Day 1 and how Day 2 sets in.

Sources: Bezos, 2016 letter to shareholders ("Day 2 is stasis. Followed by
irrelevance. Followed by excruciating, painful decline. Followed by death."), naming
four defences: true customer obsession, a skeptical view of proxies, eager adoption
of external trends, high-velocity decision making. Hannan and Freeman (1984),
"Structural inertia and organizational change": inertia grows with an organisation's
age and size. Barron, West and Hannan (1994): liabilities of age (obsolescence).
Goodhart (1975) and Campbell (1979): a measure that becomes a target drifts from what
it measured. Rogers (1962), *Diffusion of Innovations*: adopter categories, from
innovators to laggards. Eisenhardt (1989), "Making fast strategic decisions in
high-velocity environments".

Vitality ``v`` in [0, 1] moves every quarter by

    v' = v + R (1 - v) - E v,

renewal ``R`` pulling it up toward 1 and erosion ``E`` pulling it down toward 0, so with
fixed rates it settles at ``v* = R / (R + E)``.

- Erosion (process replaces judgement) grows with age and size:
  ``E = e_age (1 - exp(-age / A)) + e_size ln(1 + S / S0)``, ``S`` the share of
  consumers who are the firm's customers.
- Renewal is the sum of the four defences, each a score in [0, 1] times its weight:
  customer obsession ``1 - m`` (``m``: how far the firm manages to proxies instead of
  customers); skepticism of proxies ``1 / (1 + |g| / G)`` (``g``: how far the proxy the
  firm watches has drifted from what customers experience); trend adoption (share of
  the external technology waves released so far that the firm has adopted; its
  eagerness before any wave); decision velocity ``u v`` (``u``: the firm's habit of
  acting on new information, so the lag ``L = L_max (1 - u v)`` shrinks as vitality
  rises, and a fast firm stays fast).

The proxy gap grows with proxy management and is closed by audits:
``g' = (1 - sigma) g + m delta`` (``sigma``: share of the gap an audit against direct
customer measures closes each quarter; ``delta``: drift per quarter of a pure proxy
manager). Firms drift toward proxies as they grow:
``m = clip(m0 + d log2(max(1, S_peak / S_ref)), 0, 1)``.

Effects of low vitality (each switched off by a zero strength): decisions act after
``L`` weeks; experiments succeed with chance scaled by ``1 - k_s (1 - v)``; investment
builds stocks with productivity scaled by ``1 - k_i (1 - v)``; external trends are
adopted at hazard ``h e v`` per quarter (``e``: eagerness).
"""

from __future__ import annotations

import numpy as np


def erosion_rate(
    age_years: float,
    customer_share: float,
    age_rate: float,
    age_scale_years: float,
    size_rate: float,
    size_scale: float,
) -> float:
    """Quarterly erosion ``E = e_age (1 - exp(-age / A)) + e_size ln(1 + S / S0)``.

    Args:
        age_years: firm age (years).
        customer_share: ``S``, share of all consumers who are the firm's customers.
        age_rate: ``e_age``, erosion of a firm much older than ``A``, per quarter.
        age_scale_years: ``A`` > 0 (years).
        size_rate: ``e_size`` per quarter per log-unit of size.
        size_scale: ``S0`` > 0, customer share at which size erosion is ``e_size ln 2``.

    Returns:
        The erosion rate per quarter (>= 0).
    """
    age_term = age_rate * (1.0 - np.exp(-max(age_years, 0.0) / age_scale_years))
    size_term = size_rate * np.log1p(max(customer_share, 0.0) / size_scale)
    return float(age_term + size_term)


def proxy_skepticism_score(proxy_gap: float, gap_scale: float) -> float:
    """Score of the skeptical-view-of-proxies defence: ``1 / (1 + |g| / G)``."""
    return 1.0 / (1.0 + abs(proxy_gap) / gap_scale)


def renewal_rate(
    proxy_focus: float,
    proxy_gap: float,
    trend_score: float,
    velocity: float,
    vitality: float,
    weights: tuple[float, float, float, float],
    gap_scale: float,
) -> float:
    """Quarterly renewal ``R`` from the four defences.

    Args:
        proxy_focus: ``m`` in [0, 1]: 0 decides from customer metrics, 1 from proxies.
        proxy_gap: ``g``, drift of the watched proxy from customers' experience.
        trend_score: share of external trends adopted, in [0, 1].
        velocity: ``u`` in [0, 1], the firm's habit of acting on new information.
        vitality: current ``v``.
        weights: renewal per quarter of a perfect score on customer obsession,
            skepticism of proxies, trend adoption and decision velocity.
        gap_scale: ``G`` > 0, gap at which the skepticism score halves.

    Returns:
        The renewal rate per quarter (>= 0).
    """
    scores = (
        1.0 - proxy_focus,
        proxy_skepticism_score(proxy_gap, gap_scale),
        trend_score,
        velocity * vitality,
    )
    return float(sum(w * s for w, s in zip(weights, scores, strict=True)))


def next_vitality(vitality: float, renewal: float, erosion: float) -> float:
    """One quarter of ``v' = v + R (1 - v) - E v``, kept in [0, 1]."""
    return float(np.clip(vitality + renewal * (1.0 - vitality) - erosion * vitality, 0.0, 1.0))


def equilibrium_vitality(renewal: float, erosion: float) -> float:
    """Fixed point ``R / (R + E)`` of :func:`next_vitality` (1 if both are 0)."""
    total = renewal + erosion
    return 1.0 if total <= 0 else renewal / total


def proxy_focus(
    initial: float, drift_per_doubling: float, peak_share: float, reference_share: float
) -> float:
    """How far a firm manages to proxies after growing: ``m0 + d log2(S_peak / S_ref)``.

    Args:
        initial: ``m0`` in [0, 1].
        drift_per_doubling: ``d`` >= 0, added per doubling of the customer share above
            the reference.
        peak_share: largest share of consumers the firm has had as customers.
        reference_share: ``S_ref`` > 0, share below which growth adds no process.

    Returns:
        ``m`` in [0, 1].
    """
    doublings = np.log2(max(peak_share / reference_share, 1.0))
    return float(np.clip(initial + drift_per_doubling * doublings, 0.0, 1.0))


def next_proxy_gap(gap: float, focus: float, drift: float, skepticism: float) -> float:
    """One quarter of the proxy gap: ``g' = (1 - sigma) g + m delta``.

    Args:
        gap: current gap ``g`` (satisfaction units by which the proxy flatters).
        focus: ``m``, proxy focus.
        drift: ``delta``, drift per quarter of a pure proxy manager.
        skepticism: ``sigma`` in [0, 1], share of the gap closed by audits.

    Returns:
        The new gap.
    """
    return (1.0 - skepticism) * gap + focus * drift


def decision_lag_weeks(vitality: float, velocity: float, max_lag_weeks: float) -> int:
    """Weeks between a decision and its effect: ``round(L_max (1 - u v))``."""
    return round(max_lag_weeks * (1.0 - velocity * vitality))


def effect_multiplier(vitality: float, strength: float) -> float:
    """Scaling of an effect by vitality: ``1 - k (1 - v)`` (1 when ``k = 0``)."""
    return 1.0 - strength * (1.0 - vitality)


def trend_adoption_probability(
    rate: float, eagerness: float, vitality: float, quarters: float = 1.0
) -> float:
    """Chance of adopting an available trend within ``quarters``: ``1 - exp(-h e v t)``."""
    return float(-np.expm1(-rate * eagerness * vitality * quarters))

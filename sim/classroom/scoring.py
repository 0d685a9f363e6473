"""How a class game is scored: the rules, each firm's scores, the standings.

The instructor picks one rule; the projector shows the standings by that rule with the
others beside it, so a class sees what each rule rewards. Every score is read from the
model's own books:

* shareholder value: payouts to shareholders plus the firm's market value now,
  ``D + V`` (as :func:`sim.play.scorecard.seat_scorecard` counts it);
* cumulative profit: the ``profit`` column of the firm table summed over the game;
* customers served: the ``units`` column summed over the game (units bought);
* consumer surplus created: ``cumulative_customer_value``, the consumer surplus the
  model attributes to the firm each week (:func:`sim.mechanics.value.attributed_surplus`);
* weighted mix: ``sum_r w_r * s_r / max|s_r| / sum_r w_r``, each score as a share of
  the best absolute score of any firm in any market (the markets share one seed).
"""

from __future__ import annotations

RULES = {
    "shareholder_value": (
        "shareholder value",
        "payouts to shareholders plus the firm's market value now ($)",
    ),
    "cumulative_profit": ("cumulative profit", "profit summed over the quarters played ($)"),
    "customers_served": (
        "customers served",
        "units customers bought from the firm over the quarters played",
    ),
    "consumer_surplus": (
        "consumer surplus created",
        "value customers got above the price they paid, from this firm, summed over the game ($)",
    ),
    "mix": (
        "weighted mix",
        "shareholder value, cumulative profit, customers served and consumer surplus, "
        "each as a share of the best firm's, weighted",
    ),
}
SCORES = ("shareholder_value", "cumulative_profit", "customers_served", "consumer_surplus")
DEFAULT_RULE = "shareholder_value"


def checked_rule(rule) -> str:
    """The rule's name, checked.

    Raises:
        ValueError: for a name that is not one of :data:`RULES`.
    """
    if not isinstance(rule, str) or rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {str(rule)[:40]!r}")
    return rule


def checked_weights(weights) -> dict[str, float]:
    """The weighted mix's weights by score, checked (None or empty: equal weights).

    Raises:
        ValueError: for an unknown score, a weight that is not a number >= 0, or all 0.
    """
    if not weights:
        return {}
    if not isinstance(weights, dict):
        raise ValueError("weights must map scores to numbers, e.g. shareholder_value=1")
    checked = {}
    for name, value in weights.items():
        if name not in SCORES:
            raise ValueError(f"weights: {str(name)[:40]!r} is not one of {', '.join(SCORES)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValueError(f"weights: {name} must be a number >= 0, got {str(value)[:40]!r}")
        if value == float("inf"):
            raise ValueError(f"weights: {name} must be finite")
        checked[name] = float(value)
    if not sum(checked.values()) > 0:
        raise ValueError("weights: at least one weight must be above 0")
    return checked


def parse_weights(text: str) -> dict[str, float]:
    """Weights typed as ``shareholder_value=2,consumer_surplus=1`` (``--weights``).

    Raises:
        ValueError: naming the entry that is not ``score=number``.
    """
    weights = {}
    for entry in text.split(","):
        name, sep, value = entry.partition("=")
        try:
            weights[name.strip()] = float(value) if sep else float("nan")
        except ValueError:
            raise ValueError(f"weights: {entry.strip()!r} is not score=number") from None
        if weights[name.strip()] != weights[name.strip()]:
            raise ValueError(f"weights: {entry.strip()!r} is not score=number")
    return checked_weights(weights)


def firm_scores(market, firm) -> dict[str, float]:
    """One firm's four scores (see the module's description)."""
    return {
        "shareholder_value": float(firm.cumulative_payout + firm.market_value),
        "cumulative_profit": float(market.profit.get(firm.slot, 0.0)),
        "customers_served": float(market.units.get(firm.slot, 0.0)),
        "consumer_surplus": float(firm.cumulative_customer_value),
    }


def add_mix(rows: list[dict], weights: dict[str, float]) -> None:
    """Add the weighted mix to each row's scores (equal weights if ``weights`` is empty)."""
    weights = weights or dict.fromkeys(SCORES, 1.0)
    total = sum(weights.values())
    best = {name: max((abs(row["scores"][name]) for row in rows), default=0.0) for name in weights}
    for row in rows:
        row["scores"]["mix"] = sum(
            weight * (row["scores"][name] / best[name] if best[name] else 0.0)
            for name, weight in weights.items()
        ) / (total or 1.0)


def ranked(rows: list[dict], rule: str) -> list[dict]:
    """Rows sorted best first by ``rule`` (ties by name), each with its ``rank``."""
    rows = sorted(rows, key=lambda row: (-row["scores"][rule], row["firm"], row["market"]))
    for number, row in enumerate(rows, start=1):
        row["rank"] = number
    return rows


def rule_list() -> list[dict]:
    """Every rule's name, label and meaning, in display order."""
    return [{"name": name, "label": label, "text": text} for name, (label, text) in RULES.items()]

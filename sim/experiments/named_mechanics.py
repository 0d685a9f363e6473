"""The named mechanics of the sources, how to tell a scenario uses one, and how to switch it off.

``flywheel claims SCENARIO`` asks "which assumption produces this verdict?": for every
mechanic in :data:`CLAIMS` that the scenario uses, it reruns the scenario with that
mechanic switched off on the same seeds and measures the difference. A mechanic is
switched off only through the scenario's own fields, so the "off" run is an ordinary
scenario anyone can run and inspect (``flywheel run SCENARIO --set ...`` with the
overrides shown in the claims table).

To add a mechanic (financing, consumer segments...), add one :class:`Claim` to
:data:`CLAIMS`: a test of whether a scenario uses it, and the dotted overrides that switch
it off. ``tests/test_claims.py`` checks every entry: switched off, a mechanic is no longer
used, and the other mechanics are left as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.scenario import Distribution, NetworkKind, Scenario
from sim.strategies.registry import resolve_strategy


@dataclass(frozen=True)
class Claim:
    """A mechanic of the sources that a scenario may rely on.

    Attributes:
        name: short identifier (used in tables and ``--only``).
        title: the mechanic in words.
        claim: what the sources claim it does.
        is_used: ``f(scenario) -> bool``: the scenario relies on the mechanic.
        switch_off: ``f(scenario) -> {dotted path: value}``: overrides that remove it.
    """

    name: str
    title: str
    claim: str
    is_used: Callable[[Scenario], bool]
    switch_off: Callable[[Scenario], dict[str, Any]]


def _firm_groups(scenario: Scenario) -> list[tuple[str, Any]]:
    """Every firm spec with its dotted prefix: firms at start, then entrant templates."""
    groups = [(f"firms.{k}", firm) for k, firm in enumerate(scenario.firms)]
    groups += [(f"entry.templates.{k}", t) for k, t in enumerate(scenario.entry.templates)]
    return groups


def _positive_trait(trait: Distribution) -> bool:
    return trait.central() > 0 or (
        trait.kind.value == "uniform" and trait.high is not None and trait.high > 0
    )


# ---------------------------------------------------------------- expectation ratchet


def _ratchet_used(s: Scenario) -> bool:
    return s.consumers.expectation_adaptation > 0


def _ratchet_off(s: Scenario) -> dict[str, Any]:
    return {"consumers.expectation_adaptation": 0.0}


# ---------------------------------------------------------------- learning curve


def _learning_curve_used(s: Scenario) -> bool:
    return any(spec.progress_ratio < 1 for _, spec in _firm_groups(s)) or any(
        p.progress_ratio < 1 for p in s.platforms
    )


def _learning_curve_off(s: Scenario) -> dict[str, Any]:
    off = {f"{prefix}.progress_ratio": 1.0 for prefix, _ in _firm_groups(s)}
    off |= {f"platforms.{k}.progress_ratio": 1.0 for k in range(len(s.platforms))}
    return off


# ---------------------------------------------------------------- word of mouth


def _word_of_mouth_used(s: Scenario) -> bool:
    talk = s.word_of_mouth
    return s.network.kind is not NetworkKind.none and (
        talk.referral_rate > 0 or talk.warning_rate > 0
    )


def _word_of_mouth_off(s: Scenario) -> dict[str, Any]:
    return {"word_of_mouth.referral_rate": 0.0, "word_of_mouth.warning_rate": 0.0}


# ---------------------------------------------------------------- experiments


def _experiments_used(s: Scenario) -> bool:
    return any(spec.innovation_budget > 0 for _, spec in _firm_groups(s))


def _experiments_off(s: Scenario) -> dict[str, Any]:
    return {f"{prefix}.innovation_budget": 0.0 for prefix, _ in _firm_groups(s)}


# ---------------------------------------------------------------- vitality

_VITALITY_EFFECTS = ("max_decision_lag_weeks", "success_effect", "investment_effect")


def _vitality_used(s: Scenario) -> bool:
    return any(getattr(s.vitality, name) > 0 for name in _VITALITY_EFFECTS)


def _vitality_off(s: Scenario) -> dict[str, Any]:
    return {f"vitality.{name}": 0.0 for name in _VITALITY_EFFECTS}


# ---------------------------------------------------------------- external trends


def _trends_used(s: Scenario) -> bool:
    return s.trends.every_weeks > 0


def _trends_off(s: Scenario) -> dict[str, Any]:
    return {"trends.every_weeks": 0}


# ---------------------------------------------------------------- proxies


def _manages_to_proxies(spec: Any) -> bool:
    """Whether a firm spec's proxy focus can be above 0 (its own, or its strategy's trait)."""
    if spec.proxy_drift_per_doubling > 0:
        return True
    if spec.proxy_focus is not None:
        return spec.proxy_focus > 0
    traits = resolve_strategy(spec.strategy).traits
    return float(traits.get("proxy_focus", 0.5)) > 0


def _proxies_used(s: Scenario) -> bool:
    return s.vitality.proxy_drift > 0 and any(
        _manages_to_proxies(spec) for _, spec in _firm_groups(s)
    )


def _proxies_off(s: Scenario) -> dict[str, Any]:
    return {"vitality.proxy_drift": 0.0}


# ---------------------------------------------------------------- platform ownership


def _platform_ownership_used(s: Scenario) -> bool:
    return bool(s.platforms) and s.relationships.awareness_fade > 0


def _platform_ownership_off(s: Scenario) -> dict[str, Any]:
    return {"relationships.awareness_fade": 0.0}


# ---------------------------------------------------------------- connected learning


def _connected_learning_used(s: Scenario) -> bool:
    return s.learning.fit_value > 0


def _connected_learning_off(s: Scenario) -> dict[str, Any]:
    return {"learning.fit_value": 0.0}


# ---------------------------------------------------------------- consumer tastes


def _habit_used(s: Scenario) -> bool:
    return _positive_trait(s.consumers.habit_strength)


def _habit_off(s: Scenario) -> dict[str, Any]:
    return {"consumers.habit_strength": 0.0}


def _selection_used(s: Scenario) -> bool:
    return _positive_trait(s.consumers.selection_taste)


def _selection_off(s: Scenario) -> dict[str, Any]:
    return {"consumers.selection_taste": 0.0}


# ---------------------------------------------------------------- money and segments


def _interest_used(s: Scenario) -> bool:
    return s.finance.borrowing_rate > 0 or s.finance.deposit_rate > 0


def _interest_off(s: Scenario) -> dict[str, Any]:
    return {"finance.borrowing_rate": 0.0, "finance.deposit_rate": 0.0}


def _right_sizing_used(s: Scenario) -> bool:
    return s.finance.capacity_share > 0


def _right_sizing_off(s: Scenario) -> dict[str, Any]:
    return {"finance.capacity_share": 0.0}


def _investors_used(s: Scenario) -> bool:
    return s.finance.investor_patience_quarters > 0


def _investors_off(s: Scenario) -> dict[str, Any]:
    return {"finance.investor_patience_quarters": 0}


def _segments_used(s: Scenario) -> bool:
    return bool(s.consumers.segments)


def _segments_off(s: Scenario) -> dict[str, Any]:
    return {"consumers.segments": []}


# ---------------------------------------------------------------- research with noise


def _research_noise_used(s: Scenario) -> bool:
    return s.research.enabled


def _research_noise_off(s: Scenario) -> dict[str, Any]:
    return {"research.enabled": False}


# ---------------------------------------------------------------- the platform's moves


def _platform_move(s: Scenario, used: Callable[[Any], bool]) -> list[int]:
    return [k for k, platform in enumerate(s.platforms) if used(platform.moves)]


def _own_label_used(s: Scenario) -> bool:
    return bool(_platform_move(s, lambda m: m.own_label.enabled))


def _own_label_off(s: Scenario) -> dict[str, Any]:
    used = _platform_move(s, lambda m: m.own_label.enabled)
    return {f"platforms.{k}.moves.own_label.enabled": False for k in used}


def _steering_used(s: Scenario) -> bool:
    return bool(_platform_move(s, lambda m: m.steering > 0))


def _steering_off(s: Scenario) -> dict[str, Any]:
    return {f"platforms.{k}.moves.steering": 0.0 for k in _platform_move(s, lambda m: True)}


def _holdup_used(s: Scenario) -> bool:
    return bool(_platform_move(s, lambda m: m.holdup_fee))


def _holdup_off(s: Scenario) -> dict[str, Any]:
    return {f"platforms.{k}.moves.holdup_fee": False for k in _platform_move(s, lambda m: True)}


def _return_used(s: Scenario) -> bool:
    return bool(_platform_move(s, lambda m: m.return_share > 0))


def _return_off(s: Scenario) -> dict[str, Any]:
    return {f"platforms.{k}.moves.return_share": 0.0 for k in _platform_move(s, lambda m: True)}


def _brand_strength_used(s: Scenario) -> bool:
    return any(
        start.loyal_share > 0 or start.knowledge > 0
        for start in s.owned_customers.starting_strength
    )


def _brand_strength_off(s: Scenario) -> dict[str, Any]:
    return {"owned_customers.starting_strength": []}


CLAIMS: dict[str, Claim] = {
    claim.name: claim
    for claim in (
        Claim(
            "expectation_ratchet",
            "expectation ratchet",
            "customers are divinely discontent: yesterday's wow becomes today's ordinary "
            "(Bezos 2017), so standing still is falling behind",
            _ratchet_used,
            _ratchet_off,
        ),
        Claim(
            "learning_curve",
            "learning curve (Wright's law)",
            "unit cost falls by a constant share with every doubling of volume, so volume "
            "bought with low prices pays for itself (Wright 1936; the flywheel's lower "
            "cost structure)",
            _learning_curve_used,
            _learning_curve_off,
        ),
        Claim(
            "word_of_mouth",
            "word of mouth",
            "delighted customers tell others and disappointed ones warn them (Bass 1969; "
            "Bezos 1997 letter)",
            _word_of_mouth_used,
            _word_of_mouth_off,
        ),
        Claim(
            "experiments",
            "experiments and invention",
            "many failed experiments buy a few outsized successes (Bezos 2015, 2018 letters)",
            _experiments_used,
            _experiments_off,
        ),
        Claim(
            "vitality",
            "Day 2 vitality effects",
            "a firm that loses vitality decides slower, experiments worse and builds less "
            "(Bezos 2016: stasis, irrelevance, decline, death)",
            _vitality_used,
            _vitality_off,
        ),
        Claim(
            "external_trends",
            "external trends",
            "embracing external trends quickly is one of the defences of Day 1 (Bezos 2016)",
            _trends_used,
            _trends_off,
        ),
        Claim(
            "proxies",
            "managing to proxies",
            "a firm that manages to a proxy sees a figure that drifts from what customers "
            "feel, and stops seeing their disappointment (Bezos 2016: 'the process becomes "
            "the thing'; Goodhart 1975)",
            _proxies_used,
            _proxies_off,
        ),
        Claim(
            "platform_ownership",
            "platform ownership of relationships",
            "a brand that sells through a platform hands it the customer: buyers forget the "
            "brand as a direct option",
            _platform_ownership_used,
            _platform_ownership_off,
        ),
        Claim(
            "connected_learning",
            "connected learning about customers",
            "every interaction teaches the owner of the relationship about the customer, "
            "and a connected relationship teaches more (Siggelkow and Terwiesch 2019)",
            _connected_learning_used,
            _connected_learning_off,
        ),
        Claim(
            "habit",
            "habit",
            "customers return to the firm they bought from last time",
            _habit_used,
            _habit_off,
        ),
        Claim(
            "selection_taste",
            "taste for selection",
            "customers value a broad assortment (the flywheel's 'selection' node)",
            _selection_used,
            _selection_off,
        ),
        Claim(
            "interest",
            "money has a price",
            "debt costs interest, so losses funded by borrowing get dearer the longer they "
            "last (the business mindset's case for profits now)",
            _interest_used,
            _interest_off,
        ),
        Claim(
            "right_sizing",
            "capacity a shrinking firm can cut",
            "an established firm can harvest Day 2 for decades (Bezos 2016): cutting capacity "
            "as volume falls lets a shrinking firm survive",
            _right_sizing_used,
            _right_sizing_off,
        ),
        Claim(
            "investors",
            "patient investors",
            "investors fund years of losses when customers grow and come back (Bezos 1997 "
            "letter: customer growth and repeat purchases as the evidence)",
            _investors_used,
            _investors_off,
        ),
        Claim(
            "consumer_segments",
            "consumer segments",
            "niche players disrupt their categories without taking all of them: customers "
            "differ in what they value",
            _segments_used,
            _segments_off,
        ),
        Claim(
            "research_noise",
            "research with noise",
            "data tells a firm what price customers will pay: a firm knows its market only "
            "as well as the customers it owns and the research it pays for, and a platform "
            "shows a publisher clicks, not readers",
            _research_noise_used,
            _research_noise_off,
        ),
        Claim(
            "own_label",
            "the platform's own label",
            "a platform uses its sales data to launch its own copy of the best sellers "
            "listed on it (Zhu and Liu 2018, on Amazon's entry into its sellers' spaces)",
            _own_label_used,
            _own_label_off,
        ),
        Claim(
            "steering",
            "ranking and steering",
            "a platform shows first the listings that pay it most, and position decides "
            "what shoppers look at (Hagiu and Jullien 2011; Ursu 2018)",
            _steering_used,
            _steering_off,
        ),
        Claim(
            "holdup_fee",
            "hold-up fee",
            "a platform raises its fee once brands depend on it for their sales, "
            "anticipating lock-in (Williamson 1985; Parker, Van Alstyne and Choudary 2016)",
            _holdup_used,
            _holdup_off,
        ),
        Claim(
            "return_to_platform",
            "the shopper returns to the platform",
            "a customer who bought through a platform starts the next search there, where "
            "the brand is one listing among many",
            _return_used,
            _return_off,
        ),
        Claim(
            "brand_strength",
            "a strong brand at the start",
            "the brands that stayed direct were strong brands with loyal customers and "
            "their own data, not unknown ones",
            _brand_strength_used,
            _brand_strength_off,
        ),
    )
}
"""Every mechanic ``flywheel claims`` can switch off, by name."""


def used_claims(scenario: Scenario, only: list[str] | None = None) -> list[Claim]:
    """The claims the scenario uses, in registry order.

    Args:
        scenario: the scenario.
        only: restrict to these names (each must be a known claim).

    Raises:
        ValueError: on an unknown name in ``only``.
    """
    if only:
        unknown = [name for name in only if name not in CLAIMS]
        if unknown:
            raise ValueError(
                f"unknown mechanic(s) {', '.join(unknown)}; known: {', '.join(CLAIMS)}"
            )
    names = only or list(CLAIMS)
    return [CLAIMS[name] for name in names if CLAIMS[name].is_used(scenario)]

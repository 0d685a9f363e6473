"""Channel defences, the customer value chain and brand strength in the market.

The model holds one :class:`Defences` (``model.defences``). It turns the firms' defence
decisions and the scenario's value chain into the channel offer, books what the
defences cost and earn, and measures every firm's brand strength at each quarter's
close. The economics are in :mod:`sim.mechanics.defences`. With ``defences.enabled``
false and ``value_chain.step_cost`` 0 (the defaults) it adds nothing to the offer and
books nothing; brand strength is measured in every scenario (it draws nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.mechanics.defences import (
    brand_strength_index,
    friction_utility,
    incentive_cost,
    loyalty_cost,
    loyalty_utility,
    path_steps,
)
from sim.mechanics.platforms import direct_habit_target
from sim.scenario.schema_channels import ConnectedKind, PlatformKind

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel
    from sim.scenario.schema import Scenario

DIRECT = 0

DEFENCE_FIRM_COLUMNS = [
    "platform_price",
    "direct_incentive",
    "loyalty_rebate",
    "loyalty_members",
    "loyalty_units",
    "incentive_cost",
    "loyalty_cost",
    "direct_steps",
    "brand_strength",
]


class Defences:
    """Defences and value chain of one run (see the module docstring).

    Args:
        scenario: the scenario.
    """

    name: ClassVar[str] = "defences"
    firm_columns: list[str] = DEFENCE_FIRM_COLUMNS

    def __init__(self, scenario: Scenario):
        self.spec = scenario.defences
        self.chain = scenario.value_chain
        self.enabled = self.spec.enabled
        self.members = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ decisions

    def apply(self, firm, decision) -> None:
        """A decision's defences and marketing take effect (defences only if enabled)."""
        if decision.marketing_spend is not None:
            firm.marketing_spend = float(decision.marketing_spend)
        if not (self.enabled and firm.defences_allowed):
            return
        firm.platform_price = decision.platform_price
        firm.direct_incentive = float(decision.direct_incentive)
        firm.loyalty_rebate = float(decision.loyalty_rebate)

    def view_fields(self, model: MarketModel, firm) -> dict:
        """What the firm's strategy sees of its defences and of the rules."""
        return {
            "defences_allowed": self.enabled and firm.defences_allowed,
            "decides_marketing": self.spec.strategies_set_marketing,
            "platform_price": firm.platform_price,
            "direct_incentive": firm.direct_incentive,
            "loyalty_rebate": firm.loyalty_rebate,
            "owned_customers": int(firm.owned_customers),
            "loyalty_cost_per_member": self.spec.loyalty_cost_per_member,
            "incentive_cost_ratio": self.spec.incentive_cost_ratio,
            "brand_strength": firm.brand_strength,
            "marketing_contact_cost": model.spec.word_of_mouth.contact_cost,
            "population": len(model.population),
        }

    # ------------------------------------------------------------------ the offer

    def offer_fields(self, model: MarketModel) -> dict[str, Any]:
        """Extra :class:`~sim.mechanics.platforms.ChannelOffer` fields (none when off)."""
        fields: dict[str, Any] = {}
        firms = model.firms
        if self.enabled:
            fields["platform_price"] = np.array(
                [np.nan if f.platform_price is None else f.platform_price for f in firms]
            )
            fields["parity"] = np.array(
                [spec.price_parity for spec in model.spec.platforms], dtype=bool
            )
            fields["incentive"] = np.array([f.direct_incentive for f in firms])
            fields["rebate"] = np.array([f.loyalty_rebate for f in firms])
            fields["habit_boost"] = self.spec.loyalty_habit_boost
        if self.chain.step_cost > 0:
            direct, platform = self.steps(model)
            fields["direct_friction"] = friction_utility(direct, self.chain.step_cost)
            fields["platform_friction"] = friction_utility(platform, self.chain.step_cost)
        return fields

    def steps(self, model: MarketModel) -> tuple[np.ndarray, np.ndarray]:
        """Steps of buying direct from each firm and through each platform."""
        chain, respond = self.chain, ConnectedKind.respond_to_desire
        direct_removed = np.array(
            [chain.respond_removes if f.connected is respond else 0 for f in model.firms]
        )
        platform_removed = np.array(
            [
                (
                    chain.aggregator_removes
                    if p.kind is PlatformKind.aggregator
                    else chain.marketplace_removes
                )
                + (chain.respond_removes if p.offers(respond) else 0)
                for p in model.platforms
            ]
        )
        return (
            path_steps(chain.purchase_steps, direct_removed),
            path_steps(chain.purchase_steps, platform_removed),
        )

    # ------------------------------------------------------------------ the books

    def book(self, model: MarketModel, bought, offer, direct_units, listing_units) -> None:
        """Book channel-price revenue and defence costs for the week (when enabled)."""
        if not self.enabled:
            return
        n_firms = offer.n_firms
        cols, state = model.population.columns, model.channels.state
        shown = self.shown_prices(offer)
        revenue_change = ((shown - offer.price[None, :]) * listing_units[:, :n_firms]).sum(axis=0)
        # Members: last bought direct from the brand before this purchase.
        member = (state.last_channel[bought.rows] == DIRECT) & (
            cols.last_firm[bought.rows] == bought.brand
        )
        member &= bought.channel == DIRECT
        member_units = np.bincount(bought.brand[member], minlength=n_firms).astype(float)
        running = offer.rebate > 0
        if running.any():
            target = direct_habit_target(cols.last_firm, state.last_channel)
            counts = np.bincount(target[target >= 0], minlength=n_firms)
            self.members = np.where(running, counts, 0)
        else:
            self.members = np.zeros(n_firms, dtype=np.int64)
        for firm in model.firms:
            if not firm.alive:
                continue
            j = firm.slot
            firm.book_defences(
                float(revenue_change[j]),
                incentive_cost(
                    float(direct_units[j]), firm.direct_incentive, self.spec.incentive_cost_ratio
                ),
                loyalty_cost(
                    float(member_units[j]),
                    firm.loyalty_rebate,
                    float(self.members[j]),
                    self.spec.loyalty_cost_per_member,
                ),
                float(member_units[j]),
            )

    @staticmethod
    def shown_prices(offer) -> np.ndarray:
        """Price each platform shows for each firm's listing, ``(K, F)`` ($)."""
        return np.array([offer.firm_listing_price(k) for k in range(offer.n_platforms)]).reshape(
            offer.n_platforms, offer.n_firms
        )

    # ------------------------------------------------------------------ brand strength

    def measure_brands(self, model: MarketModel) -> None:
        """Every live firm's brand-strength index at the quarter's close ($ per consumer).

        The brand-specific terms of a direct purchase: experience against expectation
        (with any respond-to-desire bonus), the habit of a consumer whose last purchase
        was the brand's (direct, when channels are on), loyalty and fit. A direct
        incentive is left out: it is a price cut in another form, and the unbranded copy
        is compared at the same net price.
        """
        cols = model.population.columns
        alpha, gamma = cols.price_sensitivity, cols.experience_taste
        offer = model.channels.offer() if model.channels.mode else None
        state = model.channels.columns
        if model.channels.mode and state is not None:
            target = direct_habit_target(cols.last_firm, state.last_channel)
        else:
            target = cols.last_firm
        scale = model.lifecycle.habit_scale() if not model.channels.mode else None
        aware = cols.aware
        width = aware.shape[1]
        experience = np.array(
            [
                float(offer.direct_experience[firm.slot]) if offer is not None else firm.experience
                for firm in model.firms[:width]
            ]
        )
        held = np.clip(target, 0, width - 1) if width else target
        habit = cols.habit_strength
        if scale is not None:
            habit = habit * np.asarray(scale, dtype=float)[held]
        if offer is not None and offer.rebate is not None:
            rebate = np.asarray(offer.rebate, dtype=float)[held]
            habit = habit + loyalty_utility(
                cols.habit_strength, alpha, np.where(target >= 0, rebate, 0.0), offer.habit_boost
            )
        fit = None
        if state is not None and state.fit_firm is not None:
            fit, _ = model.channels.fit_terms(np.arange(len(cols)))
            fit = fit[:, :width]
        index = brand_strength_index(
            experience, aware, alpha, gamma, cols.expectation, target, habit, fit
        )
        for firm in model.firms:
            j = firm.slot
            alive = firm.alive and j < width
            firm.brand_strength = float(index[j]) if alive else 0.0

    # ------------------------------------------------------------------ collect

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The firm table's defence and value-chain columns for this week."""
        week = firm.week
        j = firm.slot
        price = week.price if model.week else firm.price
        asked = week.platform_price if model.week else firm.platform_price
        steps = float(self.chain.purchase_steps)
        if self.chain.step_cost > 0 and firm.connected is ConnectedKind.respond_to_desire:
            steps = max(steps - self.chain.respond_removes, 0.0)
        return {
            "platform_price": price if asked is None else asked,
            "direct_incentive": week.direct_incentive if model.week else firm.direct_incentive,
            "loyalty_rebate": week.loyalty_rebate if model.week else firm.loyalty_rebate,
            "loyalty_members": int(self.members[j]) if j < len(self.members) else 0,
            "loyalty_units": week.loyalty_units,
            "incentive_cost": week.incentive_cost,
            "loyalty_cost": week.loyalty_cost,
            "direct_steps": steps,
            "brand_strength": firm.brand_strength,
        }

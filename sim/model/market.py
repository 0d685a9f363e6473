"""MarketModel: the Mesa model of a consumer market. One step is one week.

Read :meth:`MarketModel.step` for the process overview; the economics live in
``sim.mechanics``, the decisions in ``sim.strategies``, and each subsystem's state and
stages in its component in ``sim.components`` (``model.lifecycle``, ``model.channels``,
``model.trust``, ``model.finance``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from sim.agents.consumer import NO_FIRM, ConsumerColumns, ConsumerPopulation
from sim.agents.firm import Firm
from sim.agents.platform import Platform
from sim.components.acquisition import Acquisitions
from sim.components.capacity import Capacity
from sim.components.channels import Channels
from sim.components.defences import Defences
from sim.components.finance import Finance
from sim.components.flywheel import FLYWHEEL_COLUMNS, FlywheelMeter
from sim.components.heterogeneity import Heterogeneity
from sim.components.imitation import Imitation
from sim.components.lifecycle import Lifecycle, initial_awareness
from sim.components.platform_moves import PlatformMoves
from sim.components.protocol import Component
from sim.components.research import Research
from sim.components.trust import Trust
from sim.mechanics.demand import alternative_utilities, logit_choose
from sim.mechanics.experience import ratchet_expectations, realised_experience, satisfaction
from sim.mechanics.stocks import accumulate_stock
from sim.mechanics.value import attributed_surplus_from_cumulative
from sim.model import firm_table, metrics, views
from sim.model.firm_table import FIRM_COLUMNS
from sim.model.mesa_idioms import FIRM_REPORTERS, keyword_overrides
from sim.model.mesa_idioms import run_seed as mesa_run_seed
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.schema_base import WEEKS_PER_QUARTER
from sim.strategies.base import (
    Decision,
    FirmView,
    MarketResearch,
    MarketView,
    Strategy,
    Technology,
)
from sim.strategies.registry import resolve_strategy
from sim.strategies.user_code import calling_strategy, checked

__all__ = ["FIRM_COLUMNS", "MarketModel", "StepStats"]


@dataclass
class StepStats:
    """Market-wide quantities of the current week, read by ``sim.model.metrics``."""

    needs: int = 0
    purchases: int = 0
    spending: float = 0.0
    repeat_purchases: int = 0
    surplus_total: float = 0.0
    units_by_slot: np.ndarray | None = None
    platform_purchases: int = 0
    platform_take: float = 0.0
    membership_fees: float = 0.0
    pool_units: int = 0
    pool_revenue: float = 0.0
    owner_units: int = 0
    automatic_purchases: int = 0


class MarketModel(mesa.Model):
    """A market of consumers and firms run by customer-obsessed or shareholder-focused strategies.

    How it follows Mesa's conventions (seeds, ``model.agents``, ``running``, batch runs)
    is described in :mod:`sim.model.mesa_idioms`.

    Args:
        scenario: a :class:`~sim.scenario.Scenario`, a path, a name or a mapping.
        seed: the run's seed, or ``"scenario"`` for the scenario's own; every random
            draw flows from it.
        seats: strategy objects by firm name that decide for those firms instead of a
            fresh instance of their scenario strategy (a player's seat, see ``sim.play``).
        rng: Mesa's seed keyword: None draws fresh entropy (the default when ``seed`` is
            None too), an integer is the seed, a numpy Generator gives a seed.
        **overrides: scenario values by dotted path (``**{"consumers.count": 500}``) or
            with ``__`` for the dots (``consumers__count=500``).
    """

    def __init__(
        self,
        scenario: Scenario | str | dict = "baseline",
        seed: int | str | None = None,
        seats: dict[str, Strategy] | None = None,
        rng: Any = None,
        **overrides: Any,
    ):
        scenario = load_scenario(scenario, keyword_overrides(overrides) or None)
        run_seed = mesa_run_seed(scenario.seed, seed, rng)
        super().__init__(rng=np.random.default_rng(run_seed))
        self.spec = scenario
        self.seed = run_seed
        self.week = 0
        self.stats = StepStats()
        self.events: list[dict[str, Any]] = []
        # The week's shoppers and buyers (set by the consumer stages).
        self.choosers = np.zeros(0, dtype=np.int64)
        self.need_draws = np.zeros(0)
        self.buyers = np.zeros(0, dtype=np.int64)
        self.bought_from = np.zeros(0, dtype=np.int32)
        self.needs_reached = np.zeros(0, dtype=np.int64)
        # Market-wide running totals.
        self.cumulative_surplus = 0.0
        self.adopters = 0
        self.quarter_units = 0.0
        self.last_quarter_units = 0.0
        tech = scenario.technology
        self.technology = Technology(
            experience=(
                tech.experience_depreciation,
                tech.experience_productivity,
                tech.experience_spend_scale,
            ),
            selection=(
                tech.selection_depreciation,
                tech.selection_productivity,
                tech.selection_spend_scale,
            ),
            efficiency=(
                tech.efficiency_depreciation,
                tech.efficiency_productivity,
                tech.efficiency_spend_scale,
            ),
        )
        self.firms: list[Firm] = []
        self.platforms: list[Platform] = []
        self.heterogeneity = Heterogeneity(scenario)
        self.finance = Finance(scenario.finance)
        self.capacity = Capacity(scenario.finance, self.finance)
        self.defences = Defences(scenario)
        self.imitation = Imitation(scenario.imitation)
        self.acquisitions = Acquisitions(scenario.acquisition, scenario.lifecycle.discount_rate)
        for spec in scenario.firms:
            strategy_class = resolve_strategy(spec.strategy)
            for k in range(spec.count):
                name = spec.name if spec.count == 1 else f"{spec.name} {k + 1}"
                if seats and name in seats:
                    strategy = seats[name]
                else:
                    strategy = strategy_class(**spec.strategy_params)
                self.firms.append(Firm(self, spec, name, len(self.firms), strategy))
                self.finance.register(self.firms[-1])
        columns = ConsumerColumns.draw(
            scenario.consumers,
            len(self.firms),
            self.rng,
            initial_awareness(scenario.consumers.initial_awareness, self.firms),
        )
        self.population = ConsumerPopulation(self, columns)
        for firm in self.firms:
            self.heterogeneity.firm_born(firm, len(columns), self.rng)
        self.research = Research(scenario.research, self.rng)
        self.lifecycle = Lifecycle(self)
        self.platform_moves = PlatformMoves(scenario, len(self.firms))
        self.flywheel = FlywheelMeter(scenario.flywheel_meter)
        self.channels = Channels(self)
        self.platform_moves.start(self)  # (moves) brands that start strong
        if self.capacity.binds and self.channels.mode:
            raise ValueError(
                "finance.capacity_binds: capacity binds only in markets without platforms "
                "or connected experiences; switch it off or remove the channels"
            )
        self.trust = Trust(self)
        self.datacollector = mesa.DataCollector(
            model_reporters=metrics.MODEL_REPORTERS,
            agenttype_reporters={Firm: FIRM_REPORTERS},
            tables={
                "firms": firm_table.columns(self.components),
                "flywheel": FLYWHEEL_COLUMNS,
                **self.channels.operations.tables(),
            },
        )
        self.channels.operations.firms_choose_channels(initial=True)
        self.firms_decide()
        self.channels.operations.decide()
        self.lifecycle.value_firms()
        self.defences.measure_brands(self)
        self.collect()

    # ------------------------------------------------------------------ access

    @property
    def components(self) -> tuple[Component, ...]:
        """The components, in the order their columns appear in the firm table."""
        return (
            self.lifecycle,
            self.finance,
            self.research,
            self.imitation,
            self.acquisitions,
            self.channels,
            self.defences,
            self.platform_moves,
            self.trust,
            self.heterogeneity,
            self.capacity,
            self.flywheel,
        )

    @property
    def extra_tables(self) -> tuple[str, ...]:
        """Names of the tables beyond ``firms`` this model records."""
        return ("flywheel", *self.channels.operations.tables())

    @property
    def consumers(self) -> ConsumerPopulation:
        """The consumers; ``model.consumers[i]`` is a Mesa agent viewing row i."""
        return self.population

    @property
    def alive_mask(self) -> np.ndarray:
        """Boolean per firm slot: still in the market."""
        return np.array([firm.alive for firm in self.firms])

    def firm_vector(self, attribute: str) -> np.ndarray:
        """One attribute of every firm, by slot."""
        return np.array([getattr(firm, attribute) for firm in self.firms], dtype=float)

    def firm_quality(self) -> np.ndarray:
        """``q_j + xi_j``: each firm's quality plus its demand shock where shocks move (utils)."""
        quality = self.firm_vector("quality")
        if self.heterogeneity.demand_shocks_on:
            quality += self.firm_vector("demand_shock")
        return quality

    @property
    def quarter(self) -> int:
        """Completed quarters."""
        return self.week // WEEKS_PER_QUARTER

    def record_event(self, firm: Firm, event: str, detail: str = "", value: float = np.nan) -> None:
        """Append one row to the events table (columns ``EVENT_COLUMNS``)."""
        self.events.append(
            {
                "step": self.week,
                "firm_id": firm.unique_id,
                "name": firm.name,
                "strategy": firm.strategy_name,
                "event": event,
                "detail": detail,
                "value": float(value),
            }
        )

    # ------------------------------------------------------------------ the week

    def step(self) -> None:
        """One week: the process overview of the model, stage by stage.

        The consumer stages follow the customer journey: recognize (needs arise,
        platforms are discovered, automatic execution serves subscribers), request
        (consumers choose), respond (the market clears, buyers experience), repeat
        (relationship owners learn). Stages marked (channels) do nothing unless the
        scenario has platforms, connected experiences or learning; stages marked (trust)
        do nothing unless it switches trust on.
        """
        lifecycle, channels, trust = self.lifecycle, self.channels, self.trust
        self.needs_arise()
        self.capacity.arrive(self)  # (capacity) orders due add capacity
        channels.journey.discover_platforms()  # (channels)
        channels.journey.automatic_execution()  # (channels)
        trust.consumers_try_on()  # (trust)
        self.consumers_choose()
        self.market_clears()
        self.finance.charge_interest(self.firms)  # interest on debt and deposits
        self.consumers_experience()
        lifecycle.word_of_mouth.spread()
        trust.word_of_mouth_informs()  # (trust)
        channels.relationships.learn()  # (channels)
        channels.operations.operate()  # (channels) third-party sellers join or leave
        self.heterogeneity.evolve_shocks(self.firms, self.week, self.rng)  # (shocks)
        self.firms_invest()
        channels.operations.invest()  # (channels)
        self.week += 1
        if self.week % WEEKS_PER_QUARTER == 0:
            self.finance.right_size_firms(self.firms)  # capacity toward volume
            self.close_quarter()
            self.acquisitions.consolidate(self)  # (acquisition)
            self.finance.settle(self.firms)  # credit lines, investors
            channels.relationships.close_quarter()
            self.defences.measure_brands(self)  # brand strength
            self.flywheel.close_quarter(self)  # (flywheel meter)
            lifecycle.firms_experiment()
            lifecycle.firms_adopt_trends()
            lifecycle.vitality_evolves()
            lifecycle.day2_stages()
            self.exit_insolvent_firms()
            lifecycle.exit_irrelevant_firms()
            channels.operations.exit_insolvent()  # (channels)
            channels.operations.firms_choose_channels()  # (channels) once a year
            self.imitation.observe_and_copy(self)  # (imitation)
            self.firms_decide()
            channels.operations.decide()  # (channels)
            lifecycle.rank_top_k()
        lifecycle.firms_act()
        lifecycle.firms_enter()
        lifecycle.value_firms()
        self.collect()
        self.close_mesa_week()

    def close_mesa_week(self) -> None:
        """Mesa bookkeeping at the end of a week (see :mod:`sim.model.mesa_idioms`).

        Exited firms and closed platforms leave ``model.agents``; ``running`` turns
        False at the scenario's horizon.
        """
        for agent in list(self.agents):
            if not agent.alive:
                agent.remove()
        self.running = self.week < self.spec.steps

    def needs_arise(self) -> None:
        """Each consumer has a need this week with probability ``lambda_i``."""
        for firm in self.firms:
            firm.start_week()
            self.finance.start_week(firm)
        self.trust.start_week()
        cols = self.population.columns
        draws = self.rng.random(len(cols))
        self.choosers = np.flatnonzero(draws < self.channels.journey.need_rates())
        self.need_draws = draws
        self.stats = StepStats(needs=len(self.choosers))

    def consumers_choose(self) -> None:
        """Consumers with a need pick a known firm or the outside option (logit)."""
        if self.channels.mode:
            self.channels.journey.consumers_choose()  # a channel, then a seller
            return
        cols, rows = self.population.columns, self.choosers
        alive = self.alive_mask
        available = np.take(cols.aware, rows, axis=0)  # faster than cols.aware[rows]
        available &= alive
        all_available = bool(available.all())
        if not all_available:
            available = np.ascontiguousarray(available.T)
        price_sensitivity = np.take(cols.price_sensitivity, rows)
        outside = self.spec.market.outside_utility
        utilities = alternative_utilities(
            self.firm_quality(),
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
            self.lifecycle.habit_scale(),
        )
        if self.heterogeneity.match_on:
            self.heterogeneity.add_brand_match(utilities[1:], rows, alive)
        doubt = self.trust.adjustment(rows, price_sensitivity)
        if doubt is not None:
            utilities[1:] += doubt.T
        choice, inclusive = logit_choose(utilities, self.rng.random(len(rows)))
        # Expected consumer surplus, as sim.mechanics.demand.consumer_surplus.
        inclusive -= outside
        inclusive /= price_sensitivity
        self.stats.surplus_total = float(inclusive.sum())
        self.cumulative_surplus += self.stats.surplus_total
        # logit_choose left the cumulative choice weights in `utilities`.
        self.lifecycle.book_customer_value(attributed_surplus_from_cumulative(utilities, inclusive))
        if all_available:
            self.needs_reached = np.where(alive, len(rows), 0)
        else:
            self.needs_reached = np.count_nonzero(available, axis=1)
        if self.capacity.binds:
            choice = self.capacity.ration(self, choice, utilities)
        bought = choice > 0
        self.buyers = rows[bought]
        self.bought_from = (choice[bought] - 1).astype(np.int32)

    def market_clears(self) -> None:
        """Units, revenue and costs are booked to each firm's accounts."""
        if self.channels.mode:
            self.channels.journey.market_clears()  # firms, platforms and sellers
            return
        n_firms = len(self.firms)
        cols = self.population.columns
        units = np.bincount(self.bought_from, minlength=n_firms)
        repeat = cols.last_firm[self.buyers] == self.bought_from
        repeat_units = np.bincount(self.bought_from[repeat], minlength=n_firms)
        for firm in self.firms:
            if firm.alive:
                firm.book_sales(
                    float(units[firm.slot]),
                    float(repeat_units[firm.slot]),
                    float(self.needs_reached[firm.slot]),
                )
        prices = self.firm_vector("price")
        self.stats.units_by_slot = units.astype(float)
        self.stats.purchases = int(units.sum())
        self.quarter_units += self.stats.purchases
        self.stats.spending = float(prices @ units)
        self.stats.repeat_purchases = int(repeat.sum())

    def consumers_experience(self) -> None:
        """Buyers meet an experience, judge it against expectation, raise expectations."""
        if self.channels.mode:
            self.channels.journey.consumers_experience()  # the channel's experience
            return
        cols, buyers, firm_of = self.population.columns, self.buyers, self.bought_from
        delivered = self.firm_vector("experience")[firm_of]
        experienced = realised_experience(
            delivered,
            self.spec.consumers.experience_noise_sd,
            self.rng.standard_normal(len(buyers)),
        )
        expectation = cols.expectation[buyers]
        felt = satisfaction(experienced, expectation)
        sums = np.bincount(firm_of, weights=felt, minlength=len(self.firms))
        for firm in self.firms:
            if firm.alive:
                firm.book_satisfaction(float(sums[firm.slot]))
        cols.expectation[buyers] = ratchet_expectations(
            expectation, experienced, self.spec.consumers.expectation_adaptation
        )
        cols.last_satisfaction[buyers] = felt
        previous_last_firm = cols.last_firm[buyers] if self.trust.on else None
        cols.last_firm[buyers] = firm_of
        self.adopters += int(np.count_nonzero(cols.purchases[buyers] == 0))
        cols.purchases[buyers] += 1
        self.trust.buyers_judge(experienced, felt, previous_last_firm)  # (trust)

    def firms_invest(self) -> None:
        """Weekly spends build the stocks; volume and efficiency move unit cost."""
        for firm in self.firms:
            if not firm.alive:
                continue
            tech = self.lifecycle.technology_of(firm)
            firm.experience = float(
                accumulate_stock(firm.experience, firm.spend_experience, *tech.experience)
            )
            firm.selection = float(
                accumulate_stock(firm.selection, firm.spend_selection, *tech.selection, floor=1.0)
            )
            firm.efficiency = float(
                accumulate_stock(firm.efficiency, firm.spend_efficiency, *tech.efficiency)
            )
            firm.unit_cost = firm.current_unit_cost()

    def close_quarter(self) -> None:
        """Every firm closes its quarterly books (customer base = last bought here)."""
        last = self.population.columns.last_firm
        customers = np.bincount(last[last != NO_FIRM], minlength=len(self.firms))
        for firm in self.firms:
            firm.close_quarter(int(customers[firm.slot]))
        self.last_quarter_units, self.quarter_units = self.quarter_units, 0.0

    def exit_insolvent_firms(self) -> None:
        """Firms that stayed beyond their credit line too many quarter ends leave.

        A firm beyond its line could neither borrow more nor raise equity (investors were
        asked at the quarter end, see :meth:`sim.components.finance.Finance.settle_quarter`).
        """
        limit = self.spec.market.insolvency_quarters
        for firm in self.firms:
            if firm.alive and self.finance.cannot_continue(firm, limit):
                self.firm_exits(firm, "insolvency")

    def firm_exits(self, firm: Firm, reason: str) -> None:
        """A firm leaves the market (see :meth:`Lifecycle.firm_exits`)."""
        self.lifecycle.firm_exits(firm, reason)

    # ------------------------------------------------------------------ decisions

    def firms_decide(self) -> None:
        """Each live firm's strategy sets price, investment and payout for the quarter."""
        for firm in self.firms:
            if not firm.alive:
                continue
            with calling_strategy(firm, "decide", self):
                firm_view, market_view = self.firm_view(firm), self.market_view(firm)
                decision = self.flywheel.firm_decides(firm, firm_view, market_view)
                checked(decision, Decision, "decide")
            self.schedule_decision(firm, decision)

    def schedule_decision(self, firm: Firm, decision: Decision) -> None:
        """Apply a decision now, or after the firm's decision lag (``model.lifecycle``)."""
        self.lifecycle.schedule_decision(firm, decision)

    def apply_decision(self, firm: Firm, decision: Decision) -> None:
        """A decision takes effect: price, weekly spends, the payout now, any equity asked.

        A decision may also set the weekly marketing spend (``marketing_spend``, or
        ``extra["marketing_spend"]``); without it, marketing stays as it is. Channel
        defences take effect where the scenario enables them (``sim.components.defences``).
        """
        firm.price = decision.price
        firm.spend_experience = decision.spend_experience
        firm.spend_selection = decision.spend_selection
        firm.spend_efficiency = decision.spend_efficiency
        firm.spend_innovation = decision.spend_innovation
        if self.research.enabled:
            firm.spend_research = decision.spend_research
        marketing = decision.extra.get("marketing_spend")
        if marketing is not None:
            firm.marketing_spend = float(marketing)
        self.defences.apply(firm, decision)
        firm.pay_out(self.finance.payout_allowed(firm, decision.payout))
        self.finance.record_plan(firm, decision.funding_plan)
        self.trust.set_policy(firm.slot, decision.trust_policy)
        if decision.equity_request > 0 and not self.acquisitions.is_acquired(firm):
            self.finance.request_equity(firm, decision.equity_request)
        if decision.acquire is not None:
            self.acquisitions.attempt(self, firm, decision.acquire)
        self.capacity.order(self, firm, decision)

    # ------------------------------------------------------------------ views

    def firm_view(self, firm: Firm) -> FirmView:
        """Frozen snapshot of a firm for its strategy (:func:`sim.model.views.firm_view`)."""
        return views.firm_view(self, firm)

    def market_view(self, firm: Firm) -> MarketView:
        """Read-only view of the market for one deciding firm."""
        return views.market_view(self, firm)

    def market_research(self, firm: Firm) -> MarketResearch:
        """A firm's market research (:func:`sim.model.views.market_research`)."""
        return views.market_research(self, firm)

    def owner_siblings(self, firm: Firm) -> dict[str, Any]:
        """The other live brands of the firm's owner and their markups ($)."""
        return views.owner_siblings(self, firm)

    # ------------------------------------------------------------------ collect

    def collect(self) -> None:
        """Record the model row and one row per firm for this week."""
        self.datacollector.collect(self)
        total_units = self.stats.purchases
        components = self.components
        for firm in self.firms:
            row = firm_table.base_row(self, firm, total_units)
            for component in components:
                row.update(component.firm_row(self, firm))
            self.datacollector.add_table_row("firms", row)
        self.channels.operations.collect()

    def run(self, steps: int | None = None, progress: Any = None) -> None:
        """Run ``steps`` weeks (the scenario's ``steps`` by default).

        Args:
            steps: number of weeks.
            progress: optional callable invoked after each step with no arguments.
        """
        for _ in range(self.spec.steps if steps is None else steps):
            self.step()
            if progress is not None:
                progress()

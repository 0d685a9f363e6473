"""MarketModel: the Mesa model of a consumer market. One step is one week.

Read :meth:`MarketModel.step` for the process overview; the economics live in
``sim.mechanics`` and the decisions in ``sim.strategies``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.consumer import NO_FIRM, ConsumerColumns, ConsumerPopulation
from sim.agents.firm import Firm
from sim.components.acquisition import ACQUISITION_FIRM_COLUMNS, Acquisitions
from sim.components.capacity import CAPACITY_FIRM_COLUMNS, Capacity
from sim.components.channels import CHANNEL_FIRM_COLUMNS, ChannelStages
from sim.components.defences import DEFENCE_FIRM_COLUMNS, Defences
from sim.components.finance import FINANCE_FIRM_COLUMNS, Finance
from sim.components.heterogeneity import SHOCK_FIRM_COLUMNS, Heterogeneity
from sim.components.imitation import IMITATION_FIRM_COLUMNS, Imitation
from sim.components.lifecycle import LIFECYCLE_FIRM_COLUMNS, LifecycleStages
from sim.components.platform_moves import PlatformMoves
from sim.components.research import RESEARCH_FIRM_COLUMNS, Research
from sim.components.trust import TRUST_FIRM_COLUMNS, TrustStages
from sim.mechanics.demand import alternative_utilities, logit_choose
from sim.mechanics.experience import ratchet_expectations, realised_experience, satisfaction
from sim.mechanics.stocks import accumulate_stock
from sim.mechanics.value import attributed_surplus_from_cumulative
from sim.model import metrics
from sim.model.mesa_idioms import FIRM_REPORTERS, keyword_overrides
from sim.model.mesa_idioms import run_seed as mesa_run_seed
from sim.scenario import WEEKS_PER_QUARTER, Scenario, load_scenario
from sim.strategies.base import (
    Decision,
    FirmView,
    MarketResearch,
    MarketView,
    RivalView,
    Strategy,
    Technology,
)
from sim.strategies.registry import resolve_strategy
from sim.strategies.user_code import calling_strategy, checked

FIRM_COLUMNS = [
    "step",
    "firm_id",
    "name",
    "strategy",
    "price",
    "unit_cost",
    "units",
    "share",
    "revenue",
    "variable_cost",
    "fixed_cost",
    "investment",
    "operating_profit",
    "profit",
    "payout",
    "cumulative_payout",
    "cash",
    "experience",
    "selection",
    "efficiency",
    "satisfaction",
    "repeat_rate",
    "customers",
    "cumulative_units",
    "alive",
    *LIFECYCLE_FIRM_COLUMNS,
    *FINANCE_FIRM_COLUMNS,
    *RESEARCH_FIRM_COLUMNS,
    *IMITATION_FIRM_COLUMNS,
    *ACQUISITION_FIRM_COLUMNS,
]


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


class MarketModel(LifecycleStages, ChannelStages, TrustStages, mesa.Model):
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
        rng=None,
        **overrides,
    ):
        scenario = load_scenario(scenario, keyword_overrides(overrides) or None)
        run_seed = mesa_run_seed(scenario.seed, seed, rng)
        super().__init__(rng=np.random.default_rng(run_seed))
        self.spec = scenario
        self.seed = run_seed
        self.week = 0
        self.stats = StepStats()
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
            scenario.consumers, len(self.firms), self.rng, self.initial_awareness()
        )
        self.population = ConsumerPopulation(self, columns)
        for firm in self.firms:
            self.heterogeneity.firm_born(firm, len(columns), self.rng)
        self.research = Research(scenario.research, self.rng)
        self.init_lifecycle()
        self.platform_moves = PlatformMoves(scenario, len(self.firms))
        self.setup_channels()
        self.platform_moves.start(self)  # (moves) brands that start strong
        if self.capacity.binds and self.channel_mode:
            raise ValueError(
                "finance.capacity_binds: capacity binds only in markets without platforms "
                "or connected experiences; switch it off or remove the channels"
            )
        self.init_trust()
        trust_columns = TRUST_FIRM_COLUMNS if self.trust is not None else []
        shock_columns = SHOCK_FIRM_COLUMNS if scenario.shocks.enabled else []
        capacity_columns = CAPACITY_FIRM_COLUMNS if self.capacity.binds else []
        firm_columns = FIRM_COLUMNS + CHANNEL_FIRM_COLUMNS + DEFENCE_FIRM_COLUMNS
        firm_columns = firm_columns + self.platform_moves.firm_columns
        self.datacollector = mesa.DataCollector(
            model_reporters=metrics.MODEL_REPORTERS,
            agenttype_reporters={Firm: FIRM_REPORTERS},
            tables={
                "firms": firm_columns + trust_columns + shock_columns + capacity_columns,
                **self.channel_tables(),
            },
        )
        self.firms_choose_channels(initial=True)
        self.firms_decide()
        self.platforms_decide()
        self.value_firms()
        self.measure_brand_strength()
        self.collect()

    # ------------------------------------------------------------------ access

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
        self.needs_arise()
        self.capacity.arrive(self)  # (capacity) orders due add capacity
        self.shoppers_discover_platforms()  # (channels)
        self.automatic_execution()  # (channels)
        self.consumers_try_on()  # (trust)
        self.consumers_choose()
        self.market_clears()
        self.interest_accrues()
        self.consumers_experience()
        self.word_of_mouth_spreads()
        self.word_of_mouth_informs()  # (trust)
        self.relationships_learn()  # (channels)
        self.platforms_operate()  # (channels) third-party sellers join or leave
        self.firm_shocks_evolve()  # (shocks)
        self.firms_invest()
        self.platforms_invest()  # (channels)
        self.week += 1
        if self.week % WEEKS_PER_QUARTER == 0:
            self.firms_right_size()
            self.close_quarter()
            self.consolidate_groups()  # (acquisition)
            self.settle_finances()
            self.close_channel_quarter()
            self.measure_brand_strength()
            self.measure_flywheel()
            self.firms_experiment()
            self.firms_adopt_trends()
            self.vitality_evolves()
            self.day2_stages()
            self.exit_insolvent_firms()
            self.exit_irrelevant_firms()
            self.exit_insolvent_platforms()  # (channels)
            self.firms_choose_channels()  # (channels) once a year
            self.firms_imitate()  # (imitation)
            self.firms_decide()
            self.platforms_decide()  # (channels)
            self.rank_top_k()
        self.firms_act()
        self.firms_enter()
        self.value_firms()
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
        if self.trust is not None:
            self.trust.start_week()
        cols = self.population.columns
        draws = self.rng.random(len(cols))
        self.choosers = np.flatnonzero(draws < self.need_rates())
        self.need_draws = draws
        self.stats = StepStats(needs=len(self.choosers))

    def consumers_choose(self) -> None:
        """Consumers with a need pick a known firm or the outside option (logit)."""
        if self.channel_mode:
            self.consumers_choose_channels()
            self.cumulative_surplus += self.stats.surplus_total
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
            self.habit_scale(),
        )
        if self.heterogeneity.match_on:
            self.heterogeneity.add_brand_match(utilities[1:], rows, alive)
        if self.trust is not None:
            utilities[1:] += self.trust_adjustment(rows, price_sensitivity).T
        choice, inclusive = logit_choose(utilities, self.rng.random(len(rows)))
        # Expected consumer surplus, as sim.mechanics.demand.consumer_surplus.
        inclusive -= outside
        inclusive /= price_sensitivity
        self.stats.surplus_total = float(inclusive.sum())
        self.cumulative_surplus += self.stats.surplus_total
        # logit_choose left the cumulative choice weights in `utilities`.
        self.book_customer_value(attributed_surplus_from_cumulative(utilities, inclusive))
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
        if self.channel_mode:
            self.market_clears_channels()
            self.attribute_surplus_by_units()
            self.quarter_units += self.stats.purchases
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
        if self.channel_mode:
            self.consumers_experience_channels()
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
        previous_last_firm = cols.last_firm[buyers] if self.trust is not None else None
        cols.last_firm[buyers] = firm_of
        self.adopters += int(np.count_nonzero(cols.purchases[buyers] == 0))
        cols.purchases[buyers] += 1
        self.buyers_judge_trust(experienced, felt, previous_last_firm)  # (trust)

    def firm_shocks_evolve(self) -> None:
        """Firms' demand and cost shocks fade and get new innovations.

        See ``sim.components.heterogeneity``.
        """
        self.heterogeneity.evolve_shocks(self.firms, self.week, self.rng)

    def firms_invest(self) -> None:
        """Weekly spends build the stocks; volume and efficiency move unit cost."""
        for firm in self.firms:
            if not firm.alive:
                continue
            tech = self.technology_of(firm)
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

    def interest_accrues(self) -> None:
        """Firms pay interest on debt (negative cash) and earn it on deposits."""
        self.finance.charge_interest(self.firms)

    def firms_right_size(self) -> None:
        """Quarter's last week: capacity moves toward the quarter's volume (cuts cost)."""
        for firm in self.firms:
            if firm.alive:
                self.finance.right_size(firm, firm.tally.units / WEEKS_PER_QUARTER)

    def consolidate_groups(self) -> None:
        """Quarter end: acquired brands' cash and debt are swept to their acquirers."""
        self.acquisitions.consolidate(self)

    def settle_finances(self) -> None:
        """Quarter end: credit lines re-sized, investors asked by firms in debt."""
        for firm in self.firms:
            if firm.alive:
                self.finance.settle_quarter(firm)

    def exit_insolvent_firms(self) -> None:
        """Firms that stayed beyond their credit line too many quarter ends leave.

        A firm beyond its line could neither borrow more nor raise equity (investors were
        asked at the quarter end, see :meth:`sim.components.finance.Finance.settle_quarter`).
        """
        limit = self.spec.market.insolvency_quarters
        for firm in self.firms:
            if firm.alive and self.finance.cannot_continue(firm, limit):
                self.firm_exits(firm, "insolvency")

    def measure_brand_strength(self) -> None:
        """Quarter end: each firm's brand-strength index (``sim.components.defences``)."""
        self.defences.measure_brands(self)

    def firms_imitate(self) -> None:
        """Quarter end: the public record of firms' models grows; lagging firms may copy."""
        self.imitation.observe(self)
        self.imitation.incumbents_copy(self)

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

    def apply_decision(self, firm: Firm, decision) -> None:
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
        if self.trust is not None:
            self.trust.set_policy(firm.slot, decision.trust_policy)
        if decision.equity_request > 0 and not self.acquisitions.is_acquired(firm):
            self.finance.request_equity(firm, decision.equity_request)
        if decision.acquire is not None:
            self.acquisitions.attempt(self, firm, decision.acquire)
        self.capacity.order(self, firm, decision)

    def collect(self) -> None:
        """Record the model row and one row per firm for this week."""
        self.datacollector.collect(self)
        total_units = self.stats.purchases
        for firm in self.firms:
            week = firm.week
            self.datacollector.add_table_row(
                "firms",
                {
                    "step": self.week,
                    "firm_id": firm.unique_id,
                    "name": firm.name,
                    "strategy": firm.strategy_name,
                    "price": week.price if self.week else firm.price,
                    "unit_cost": week.unit_cost if self.week else firm.unit_cost,
                    "units": week.units,
                    "share": week.units / total_units if total_units else 0.0,
                    "revenue": week.revenue,
                    "variable_cost": week.variable_cost,
                    "fixed_cost": week.fixed_cost,
                    "investment": week.investment,
                    "operating_profit": week.operating_profit,
                    "profit": week.profit,
                    "payout": week.payout,
                    "cumulative_payout": firm.cumulative_payout,
                    "cash": firm.cash,
                    "experience": firm.experience,
                    "selection": firm.selection,
                    "efficiency": firm.efficiency,
                    "satisfaction": firm.satisfaction,
                    "repeat_rate": firm.repeat_rate,
                    "customers": firm.last_quarter.customers,
                    "cumulative_units": firm.cumulative_units,
                    "alive": firm.alive,
                    **self.lifecycle_row(firm),
                    **self.channel_firm_columns(firm),
                    **self.finance.row(firm),
                    **self.research.firm_row(firm),
                    **self.defences.row(self, firm),
                    **self.trust_row(firm),
                    **self.imitation.row(firm),
                    **self.acquisitions.row(self, firm),
                    **self.heterogeneity.row(firm),
                    **self.capacity.row(firm),
                    **self.platform_moves.firm_row(firm),
                },
            )
        self.collect_platforms()

    # ------------------------------------------------------------------ views

    def firm_view(self, firm: Firm) -> FirmView:
        """Frozen snapshot of a firm for its strategy."""
        return FirmView(
            firm_id=firm.unique_id,
            name=firm.name,
            week=self.week,
            quarter=self.quarter,
            price=firm.price,
            unit_cost=firm.unit_cost,
            fixed_cost=firm.fixed_cost,
            experience=firm.experience,
            selection=firm.selection,
            efficiency=firm.efficiency,
            cash=firm.cash,
            cumulative_units=firm.cumulative_units,
            spend_experience=firm.spend_experience,
            spend_selection=firm.spend_selection,
            spend_efficiency=firm.spend_efficiency,
            last_quarter=self.seen_quarter(firm, firm.last_quarter),
            previous_quarter=self.seen_quarter(firm, firm.previous_quarter),
            innovation_budget=firm.innovation_budget,
            spend_innovation=firm.spend_innovation,
            marketing_spend=firm.marketing_spend,
            take_share=self.take_share(firm),
            connected_unit_cost=self.connected_unit_cost(firm),
            spend_research=firm.spend_research,
            **self.defences.view_fields(self, firm),
            **({} if self.trust is None else {"trust_policy": self.trust.policies[firm.slot]}),
            **self.acquisitions.own_details(self, firm),
            **self.capacity.view_fields(self, firm),
            **self.finance.view_fields(firm),
        )

    def seen_quarter(self, firm: Firm, report):
        """A quarter as the firm sees it: satisfaction read through its drifted proxy."""
        if firm.proxy_gap == 0.0 or report.units == 0:
            return report
        return dataclasses.replace(report, satisfaction=report.satisfaction + firm.proxy_gap)

    def market_research(self, firm: Firm) -> MarketResearch:
        """A random sample of consumers, as the firm's market research sees them.

        Weights turn the sample into expected weekly purchases of the whole population: ``w_i =
        lambda_i * N / K``. With research with noise on (``sim/components/research.py``), the sample
        is the firm's owned customers and its surveyed respondents, and the tastes it sees carry
        measurement noise.
        """
        cols = self.population.columns
        n = len(cols)
        sample = self.research.sample(self, firm) if self.research.enabled else None
        if sample is None:
            size = min(self.spec.market.research_sample_size, n)
            rows = (
                np.sort(self.rng.choice(n, size=size, replace=False)) if size < n else np.arange(n)
            )
            weights = cols.need_rate[rows] * (n / size)
            self.research.record_free(self, firm, size)
        else:
            rows, weights = sample.rows, sample.weights
        research = MarketResearch(
            own=firm.slot,
            outside_utility=self.spec.market.outside_utility,
            quality=self.firm_quality(),
            price=self.firm_vector("price"),
            selection=self.firm_vector("selection"),
            experience=self.firm_vector("experience"),
            price_sensitivity=cols.price_sensitivity[rows],
            selection_taste=cols.selection_taste[rows],
            experience_taste=cols.experience_taste[rows],
            expectation=cols.expectation[rows],
            habit_strength=cols.habit_strength[rows],
            last_firm=cols.last_firm[rows],
            available=cols.aware[rows] & self.alive_mask[None, :],
            weights=weights,
            need_rate=cols.need_rate[rows],
            habit_scale=self.habit_scale(),
            brand_match=self.heterogeneity.research_match(rows, len(self.firms)),
            **self.owner_siblings(firm),
            **self.trust_research(firm, rows),
        )
        if self.channel_mode:
            research = self.channel_market_research(firm, rows, research)
        if sample is not None:
            research = self.research.observe(research, sample)
        return research

    def owner_siblings(self, firm: Firm) -> dict:
        """The other live brands of the firm's owner and their markups ($)."""
        if firm.owner is None:
            return {}
        siblings = [
            other
            for other in self.firms
            if other is not firm and other.alive and other.owner == firm.owner
        ]
        return {
            "siblings": tuple(other.slot for other in siblings),
            "sibling_markups": np.array([other.price - other.unit_cost for other in siblings]),
        }

    def market_view(self, firm: Firm) -> MarketView:
        """Read-only view of the market for one deciding firm."""
        rivals = tuple(
            RivalView(
                other.unique_id,
                other.name,
                other.strategy_name,
                other.price,
                other.alive,
                **self.acquisitions.rival_details(self, firm, other),
            )
            for other in self.firms
            if other is not firm
        )
        return MarketView(
            week=self.week,
            quarter=self.quarter,
            rivals=rivals,
            research=self.market_research(firm),
            technology=self.technology,
            platforms=self.platform_options(),
        )

    def run(self, steps: int | None = None, progress=None) -> None:
        """Run ``steps`` weeks (the scenario's ``steps`` by default).

        Args:
            steps: number of weeks.
            progress: optional callable invoked after each step with no arguments.
        """
        for _ in range(self.spec.steps if steps is None else steps):
            self.step()
            if progress is not None:
                progress()

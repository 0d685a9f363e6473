"""The life cycle of firms, held by the model as a component: Day 1 and Day 2.

Word of mouth and marketing spread awareness; firms experiment, adopt external trends,
gain or lose vitality, pass through stasis, irrelevance and decline, exit, and are
replaced by entrants; the top ``K`` by revenue are tracked for tenure, and every firm
is valued for its shareholders and credited with the surplus it gave its customers.

:class:`Lifecycle` is owned by :class:`~sim.model.market.MarketModel` as
``model.lifecycle``; each stage method calls pure functions in ``sim.mechanics``. Read
``MarketModel.step`` for when each runs. Every stage draws random numbers only when
its mechanic is switched on, so scenarios that leave these mechanics off get exactly
the draws (and results) they got before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.agents.firm import Firm
from sim.components.word_of_mouth import WordOfMouth
from sim.mechanics import innovation, lifecycle, value, vitality
from sim.scenario.schema_base import WEEKS_PER_QUARTER
from sim.scenario.schema_firms import EntrantSpec
from sim.strategies.base import Decision, Technology
from sim.strategies.registry import resolve_strategy
from sim.strategies.user_code import calling_strategy, checked

if TYPE_CHECKING:
    from sim.model.market import MarketModel

LIFECYCLE_FIRM_COLUMNS = [
    "age_years",
    "vitality",
    "proxy_focus",
    "proxy_gap",
    "decision_lag_weeks",
    "awareness",
    "marketing_spend",
    "innovation_spend",
    "experiments",
    "successes",
    "trends_adopted",
    "quality",
    "market_value",
    "tsr",
    "customer_value",
    "cumulative_customer_value",
    "at_top",
    "owner",
    "exit_reason",
]
"""Columns added to the firm table (units in ``docs/ODD.md``)."""

EVENT_COLUMNS = ["step", "firm_id", "name", "strategy", "event", "detail", "value"]
"""Columns of the events table, one row per event."""

STAGES = ("stasis", "irrelevance", "decline", "death")
"""Bezos' four stages of Day 2, in order."""


def day2_rung(firm: Firm) -> int:
    """The firm's rung on the Day 2 ladder, from its stage flags."""
    if firm.declining:
        return lifecycle.DECLINE
    if firm.irrelevant:
        return lifecycle.IRRELEVANCE
    return lifecycle.STASIS if firm.in_stasis else lifecycle.DAY1


def initial_awareness(common: float, firms: list[Firm]) -> np.ndarray | None:
    """Per-firm awareness at start, or None when every firm uses the common value."""
    shares = [common if firm.spec_awareness is None else firm.spec_awareness for firm in firms]
    if all(firm.spec_awareness is None for firm in firms):
        return None
    return np.array(shares)


class Lifecycle:
    """Stages of the weekly step that give firms a life cycle, and the state they keep.

    Args:
        model: the model; the social network is drawn from its generator here.
    """

    name: ClassVar[str] = "lifecycle"
    firm_columns: list[str] = LIFECYCLE_FIRM_COLUMNS

    def __init__(self, model: MarketModel):
        self.model = model
        spec = model.spec
        self.word_of_mouth = WordOfMouth(model)
        self.entrants_by_template: dict[str, int] = {}
        self.entries = 0
        self.market_quarter_units: list[float] = []
        self.incumbent_margin = 0.0
        self.market_growth = 0.0
        self.entry_rate_per_year = spec.entry.rate_per_year
        self.top_k_spells: list[float] = []
        self.customer_value_by_slot = np.zeros(len(model.firms))

    def habit_scale(self) -> np.ndarray | None:
        """Habit multiplier per firm: 0 for firms with no direct relationship (None: all 1)."""
        firms = self.model.firms
        if all(firm.direct_relationship for firm in firms):
            return None
        return np.array([1.0 if firm.direct_relationship else 0.0 for firm in firms])

    def technology_of(self, firm: Firm) -> Technology:
        """Stock dynamics as they work for this firm: investment builds less at low vitality.

        Productivities are scaled by ``1 - k_i (1 - v)`` (``k_i``: the vitality
        investment effect); with the effect off this is the common technology.
        """
        model = self.model
        strength = model.spec.vitality.investment_effect
        if strength <= 0:
            return model.technology
        scale = vitality.effect_multiplier(firm.vitality, strength)

        def scaled(stock: tuple[float, float, float]) -> tuple[float, float, float]:
            return (stock[0], stock[1] * scale, stock[2])

        tech = model.technology
        return Technology(scaled(tech.experience), scaled(tech.selection), scaled(tech.efficiency))

    # ------------------------------------------------------------------ innovation

    def firms_experiment(self) -> None:
        """Each firm runs the experiments its quarter's innovation spend bought.

        Successes raise experience at once, or (latent needs) quality at launch. See
        :mod:`sim.mechanics.innovation`.
        """
        model = self.model
        inn, vit = model.spec.innovation, model.spec.vitality
        for firm in model.firms:
            if not firm.alive or firm.quarter_innovation <= 0:
                continue
            factor = vitality.effect_multiplier(firm.vitality, vit.success_effect)
            experiments, successes = innovation.run_experiments(
                firm.quarter_innovation,
                inn.experiment_cost,
                firm.failures,
                inn.base_success,
                inn.max_success,
                inn.failures_to_learn,
                factor,
                model.rng,
            )
            firm.experiments += experiments
            firm.successes += successes
            firm.failures += experiments - successes
            if successes == 0:
                continue
            multiples = innovation.pareto_multiples(
                model.rng.random(successes), inn.tail_index, inn.max_multiple
            )
            latent = model.rng.random(successes) < inn.latent_need_share
            for multiple, is_latent in zip(multiples, latent, strict=True):
                if is_latent:
                    due = model.week + inn.launch_weeks
                    firm.launches.append((due, inn.typical_quality_gain * multiple))
                else:
                    firm.experience += inn.typical_experience_gain * multiple
                if multiple >= 10:
                    kind = "latent need" if is_latent else "experience"
                    model.record_event(firm, "breakthrough", kind, multiple)

    def firms_act(self) -> None:
        """Lagged decisions take effect; latent-need inventions launch."""
        model = self.model
        for firm in model.firms:
            if not firm.alive:
                continue
            if firm.pending:
                due = [item for item in firm.pending if item[0] <= model.week]
                firm.pending = [item for item in firm.pending if item[0] > model.week]
                for _, decision in due:
                    model.apply_decision(firm, decision)
            if firm.launches:
                due = [gain for week, gain in firm.launches if week <= model.week]
                firm.launches = [item for item in firm.launches if item[0] > model.week]
                for gain in due:
                    firm.quality += gain
                    model.record_event(firm, "launch", "latent need met", gain)

    def schedule_decision(self, firm: Firm, decision: Decision) -> None:
        """Apply a decision now, or after the firm's decision lag."""
        model = self.model
        if firm.decision_lag <= 0:
            model.apply_decision(firm, decision)
        else:
            firm.pending.append((model.week + firm.decision_lag, decision))

    # ------------------------------------------------------------------ trends

    def released_trends(self) -> list[int]:
        """Indices of the external technology waves released so far."""
        model = self.model
        trends = model.spec.trends
        if trends.every_weeks <= 0 or model.week < trends.first_week:
            return []
        return list(range((model.week - trends.first_week) // trends.every_weeks + 1))

    def firms_adopt_trends(self) -> None:
        """Firms adopt released technology waves, vital and eager firms sooner."""
        model = self.model
        trends = model.spec.trends
        released = self.released_trends()
        if not released:
            return
        for firm in model.firms:
            if not firm.alive:
                continue
            for wave in released:
                if wave in firm.trends_adopted:
                    continue
                chance = vitality.trend_adoption_probability(
                    trends.adoption_rate, firm.trend_eagerness, firm.vitality
                )
                if model.rng.random() < chance:
                    firm.trends_adopted.add(wave)
                    firm.experience += trends.experience_boost
                    if trends.adoption_cost > 0:
                        firm.spend_once(trends.adoption_cost)
                    model.record_event(firm, "trend_adopted", f"wave {wave + 1}", wave + 1)

    # ------------------------------------------------------------------ vitality

    def vitality_evolves(self) -> None:
        """Vitality erodes with age and size and is renewed by the four defences.

        Also moves proxy focus (growth breeds process) and the proxy gap, and sets
        each firm's decision lag. See :mod:`sim.mechanics.vitality`.
        """
        model = self.model
        vit, n = model.spec.vitality, len(model.population)
        weights = (
            vit.renewal_obsession,
            vit.renewal_skepticism,
            vit.renewal_trends,
            vit.renewal_velocity,
        )
        released = len(self.released_trends())
        for firm in model.firms:
            if not firm.alive:
                continue
            share = firm.last_quarter.customers / n
            firm.peak_customer_share = max(firm.peak_customer_share, share)
            firm.proxy_focus = vitality.proxy_focus(
                firm.initial_proxy_focus,
                firm.proxy_drift_per_doubling,
                firm.peak_customer_share,
                vit.proxy_reference_share,
            )
            firm.proxy_gap = vitality.next_proxy_gap(
                firm.proxy_gap, firm.proxy_focus, vit.proxy_drift, firm.proxy_skepticism
            )
            trend_score = len(firm.trends_adopted) / released if released else firm.trend_eagerness
            erosion = vitality.erosion_rate(
                firm.age_years(model.week),
                share,
                vit.erosion_age,
                vit.age_scale_years,
                vit.erosion_size,
                vit.size_scale,
            )
            renewal = vitality.renewal_rate(
                firm.proxy_focus,
                firm.proxy_gap,
                trend_score,
                firm.decision_velocity,
                firm.vitality,
                weights,
                vit.proxy_gap_scale,
            )
            firm.vitality = vitality.next_vitality(firm.vitality, renewal, erosion)
            firm.decision_lag = vitality.decision_lag_weeks(
                firm.vitality, firm.decision_velocity, vit.max_decision_lag_weeks
            )

    def day2_stages(self) -> None:
        """Move each firm along the Day 2 ladder and record the rungs it reaches.

        Stasis, irrelevance and decline come in the letter's order, one rung per quarter
        at most; renewal returns a firm to Day 1 (see
        :func:`sim.mechanics.lifecycle.next_day2_stage`). The count of irrelevant
        quarters in a row, which the irrelevance exit uses, is kept apart from the ladder.
        """
        model = self.model
        vit, life = model.spec.vitality, model.spec.lifecycle
        total_units = model.last_quarter_units
        for firm in model.firms:
            if not firm.alive:
                continue
            firm.unit_share = firm.last_quarter.units / total_units if total_units else 0.0
            quarters_old = (model.week - firm.birth_step) // WEEKS_PER_QUARTER
            judged = quarters_old > life.grace_quarters
            if judged and lifecycle.is_irrelevant(firm.unit_share, life.irrelevance_share):
                firm.irrelevant_quarters += 1
            else:
                firm.irrelevant_quarters = 0
            ratio = 1.0
            if len(firm.quarterly_revenue) >= 4:
                trailing = float(sum(firm.quarterly_revenue[-4:]))
                firm.peak_trailing_revenue = max(firm.peak_trailing_revenue, trailing)
                if firm.peak_trailing_revenue > 0:
                    ratio = trailing / firm.peak_trailing_revenue
            before = day2_rung(firm)
            after = lifecycle.next_day2_stage(
                before,
                firm.vitality,
                firm.unit_share,
                ratio,
                stasis_threshold=vit.stasis_threshold,
                renewal_margin=vit.renewal_margin,
                irrelevance_share=life.irrelevance_share,
                decline_drop=life.decline_drop,
                judged=judged,
            )
            firm.in_stasis = after >= lifecycle.STASIS
            firm.irrelevant = after >= lifecycle.IRRELEVANCE
            firm.declining = after >= lifecycle.DECLINE
            if after == lifecycle.DAY1 and before > lifecycle.DAY1:
                model.record_event(firm, "renewal", "vitality recovered", firm.vitality)
            elif after == before + 1:
                event, detail, value = {
                    lifecycle.STASIS: ("stasis", "vitality below threshold", firm.vitality),
                    lifecycle.IRRELEVANCE: (
                        "irrelevance",
                        "unit share below threshold",
                        firm.unit_share,
                    ),
                    lifecycle.DECLINE: ("decline", "trailing-year revenue off its peak", ratio),
                }[after]
                model.record_event(firm, event, detail, value)

    # ------------------------------------------------------------------ entry and exit

    def firm_exits(self, firm: Firm, reason: str) -> None:
        """A firm leaves the market (death); leftover cash goes to its shareholders."""
        model = self.model
        if firm.at_top:
            years = self.years_at_top(firm)
            self.top_k_spells.append(years)
            model.record_event(firm, "left_top_k", "exit", years)
        firm.exit(model.week, reason)
        model.record_event(firm, "death", reason, firm.cash)

    def exit_irrelevant_firms(self) -> None:
        """Firms irrelevant for too many quarters in a row leave."""
        model = self.model
        limit = model.spec.lifecycle.irrelevance_exit_quarters
        if limit <= 0:
            return
        for firm in model.firms:
            if firm.alive and firm.irrelevant_quarters >= limit:
                self.firm_exits(firm, "irrelevance")

    def firms_enter(self) -> None:
        """Founders arrive (Poisson) and start firms from the scenario's templates.

        The rate is ``rate_per_year``, or, when the scenario makes entry respond to
        profits and growth, :func:`sim.mechanics.lifecycle.entry_rate` of the incumbents'
        margin and the market's growth over the last year, updated at quarter ends.
        """
        model = self.model
        entry = model.spec.entry
        responsive = entry.profit_response > 0 or entry.growth_response > 0
        if responsive and model.week % WEEKS_PER_QUARTER == 0 and model.week > 0:
            self.update_entry_rate()
        if entry.rate_per_year <= 0 or model.week < entry.start_week:
            return
        if entry.end_week is not None and model.week > entry.end_week:
            return
        rate = self.entry_rate_per_year if responsive else entry.rate_per_year
        arrivals = lifecycle.arrivals(rate / 52.0, model.rng)
        for _ in range(arrivals):
            if sum(firm.alive for firm in model.firms) >= entry.max_alive:
                break
            templates = [t for t in entry.templates if t.weight > 0]
            if len(templates) == 1:
                template = templates[0]
            else:
                weights = np.array([t.weight for t in templates])
                template = templates[model.rng.choice(len(templates), p=weights / weights.sum())]
            self.add_entrant(template)

    def update_entry_rate(self) -> None:
        """Quarter end: the entry rate from incumbents' margin and the market's growth.

        Incumbents are the live firms with four closed quarters; the market's units are
        the quarter's purchases.
        """
        model = self.model
        entry = model.spec.entry
        self.market_quarter_units.append(model.last_quarter_units)
        incumbents = [
            firm for firm in model.firms if firm.alive and len(firm.quarterly_revenue) >= 4
        ]
        self.incumbent_margin = lifecycle.trailing_margin(
            [firm.quarterly_operating_profit for firm in incumbents],
            [firm.quarterly_revenue for firm in incumbents],
        )
        self.market_growth = lifecycle.annual_growth(self.market_quarter_units)
        self.entry_rate_per_year = lifecycle.entry_rate(
            entry.rate_per_year,
            self.incumbent_margin,
            self.market_growth,
            entry.profit_response,
            entry.growth_response,
            entry.max_rate_multiple,
        )

    def add_entrant(self, template: EntrantSpec) -> Firm:
        """Create one entrant from a template; consumers learn of it at its awareness."""
        model = self.model
        cols = model.population.columns
        count = self.entrants_by_template.get(template.name, 0) + 1
        self.entrants_by_template[template.name] = count
        strategy = resolve_strategy(template.strategy)(**template.strategy_params)
        firm = Firm(
            model,
            template,
            f"{template.name} #{count}",
            len(model.firms),
            strategy,
            birth_step=model.week,
        )
        model.firms.append(firm)
        model.finance.register(firm)
        share = (
            model.spec.entry.awareness
            if template.initial_awareness is None
            else template.initial_awareness
        )
        cols.add_firm_column(model.rng.random(len(cols)) < share)
        model.heterogeneity.firm_born(firm, len(cols), model.rng)
        model.trust.firm_enters()
        self.word_of_mouth.awareness_changed()
        self.customer_value_by_slot = np.append(self.customer_value_by_slot, 0.0)
        if model.stats.units_by_slot is not None:
            model.stats.units_by_slot = np.append(model.stats.units_by_slot, 0.0)
        self.entries += 1
        model.record_event(firm, "entry", template.strategy, share)
        launch_price = model.imitation.entrant_copies(model, firm)
        with calling_strategy(firm, "decide", model):
            firm_view, market_view = model.firm_view(firm), model.market_view(firm)
            decision = model.flywheel.firm_decides(firm, firm_view, market_view)
            checked(decision, Decision, "decide")
        model.apply_decision(firm, decision)
        if launch_price is not None:
            firm.price = launch_price
        return firm

    # ------------------------------------------------------------------ tenure and value

    def rank_top_k(self) -> None:
        """Rank live firms by revenue over the last four quarters; track spells in the top K.

        A trailing year, as index providers rank by annual figures, so a single noisy
        quarter does not move a firm in or out.
        """
        model = self.model
        revenue = np.array([float(sum(f.quarterly_revenue[-4:])) for f in model.firms])
        top = lifecycle.top_k(revenue, model.alive_mask, model.spec.lifecycle.top_k)
        for firm in model.firms:
            if top[firm.slot] and not firm.at_top:
                firm.at_top, firm.top_since = True, model.week
                model.record_event(firm, "entered_top_k", "", revenue[firm.slot])
            elif firm.at_top and not top[firm.slot]:
                years = self.years_at_top(firm)
                self.top_k_spells.append(years)
                model.record_event(firm, "left_top_k", "", years)
                firm.at_top, firm.top_since = False, None

    def years_at_top(self, firm: Firm) -> float:
        """Years since a firm now in the top K entered it."""
        if firm.top_since is None:
            raise RuntimeError(f"{firm.name} is not in the top K")
        return (self.model.week - firm.top_since) / 52.0

    def value_firms(self) -> None:
        """Market value of every firm this week (earnings-power rule, see ``value``).

        At its first quarter end a firm also gets its value at birth, the base of its
        total shareholder return: the cash it started with plus the earnings power its
        first quarter showed (a start-up's base is the capital put in; an established
        business's includes the business).
        """
        model = self.model
        rate = model.spec.lifecycle.discount_rate
        for firm in model.firms:
            if not firm.alive:
                firm.market_value = 0.0
                continue
            annual = value.annual_operating_profit(firm.quarterly_operating_profit)
            firm.market_value = value.market_value(firm.cash, annual, rate)
            if firm.value_base is None and firm.quarterly_operating_profit:
                firm.value_base = value.market_value(firm.initial_cash, annual, rate)

    def attribute_surplus_by_units(self) -> None:
        """With platforms on, attribute the week's consumer surplus to brands by units sold.

        The channel choice has no single firm-by-firm probability matrix, so the surplus
        is split in proportion to each brand's units this week (an approximation of
        :func:`sim.mechanics.value.attributed_surplus`, exact when shares equal the
        expected shares).
        """
        model = self.model
        units = model.stats.units_by_slot
        total = float(units.sum()) if units is not None else 0.0
        if units is None or total <= 0:
            shares = np.zeros(len(model.firms))
        else:
            shares = units / total
        self.book_customer_value(shares * model.stats.surplus_total)

    def book_customer_value(self, by_slot: np.ndarray) -> None:
        """Record the consumer surplus attributed to each firm this week ($, by slot)."""
        model = self.model
        self.customer_value_by_slot = by_slot
        for firm in model.firms:
            firm.week.customer_value = float(by_slot[firm.slot])
            firm.cumulative_customer_value += firm.week.customer_value

    def tsr(self, firm: Firm) -> float:
        """Total shareholder return since birth, net of equity investors put in.

        ``TSR = (V_t + D - E) / V_0 - 1`` with payouts ``D`` and equity raised ``E``. Until
        its first quarter end shows its earnings power, a firm's value at birth is taken to
        be its starting cash (NaN if that is not positive).
        """
        model = self.model
        base = firm.value_base
        if base is None:
            base = value.market_value(firm.initial_cash, 0.0, model.spec.lifecycle.discount_rate)
        held = value.shareholder_value(
            firm.cumulative_payout, firm.market_value, model.finance.account(firm).cumulative_equity
        )
        return value.total_shareholder_return(held, 0.0, base)

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The life-cycle columns of one firm's row in the firm table."""
        return {
            "age_years": firm.age_years(model.week),
            "vitality": firm.vitality,
            "proxy_focus": firm.proxy_focus,
            "proxy_gap": firm.proxy_gap,
            "decision_lag_weeks": firm.decision_lag,
            "awareness": float(self.word_of_mouth.awareness_shares()[firm.slot]),
            "marketing_spend": firm.week.marketing,
            "innovation_spend": firm.week.innovation,
            "experiments": firm.experiments,
            "successes": firm.successes,
            "trends_adopted": len(firm.trends_adopted),
            "quality": firm.quality,
            "market_value": firm.market_value,
            "tsr": self.tsr(firm),
            "customer_value": firm.week.customer_value,
            "cumulative_customer_value": firm.cumulative_customer_value,
            "at_top": firm.at_top,
            "owner": firm.owner or "",
            "exit_reason": firm.exit_reason,
        }

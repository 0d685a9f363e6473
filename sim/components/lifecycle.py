"""Stages of ``MarketModel.step`` for the life cycle of firms: Day 1 and Day 2.

Word of mouth and marketing spread awareness; firms experiment, adopt external trends,
gain or lose vitality, pass through stasis, irrelevance and decline, exit, and are
replaced by entrants; the top ``K`` by revenue are tracked for tenure, and every firm
is valued for its shareholders and credited with the surplus it gave its customers.

:class:`LifecycleStages` is mixed into :class:`~sim.model.market.MarketModel`; each method is
one named stage that calls pure functions in ``sim.mechanics``. Read
``MarketModel.step`` for when each runs. Every stage draws random numbers only when
its mechanic is switched on, so scenarios that leave these mechanics off get exactly
the draws (and results) they got before.
"""

from __future__ import annotations

import numpy as np

from sim.agents.firm import Firm
from sim.mechanics import innovation, lifecycle, network, value, vitality
from sim.mechanics import word_of_mouth as wom
from sim.scenario import WEEKS_PER_QUARTER, NetworkGenerator
from sim.strategies.base import Decision, Technology
from sim.strategies.registry import resolve_strategy
from sim.strategies.user_code import calling_strategy, checked

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


class LifecycleStages:
    """Stages of the weekly step that give firms a life cycle (mixed into MarketModel)."""

    # ------------------------------------------------------------------ set-up

    def init_lifecycle(self) -> None:
        """Build the social network and the market-level life-cycle state."""
        spec = self.spec
        n = spec.consumers.count
        self.events: list[dict] = []
        net = spec.network
        use_networkx = net.generator is NetworkGenerator.networkx or (
            net.generator is NetworkGenerator.auto and n <= net.networkx_max_nodes
        )
        self.network = network.build_network(
            net.kind.value, n, net.mean_degree, net.rewiring, self.rng, use_networkx
        )
        self.network_degree = self.network.degree
        talk = spec.word_of_mouth
        self.word_of_mouth_on = not self.network.empty and (
            talk.referral_rate > 0 or talk.warning_rate > 0
        )
        self.entrants_by_template: dict[str, int] = {}
        self.entries = 0
        self.market_quarter_units: list[float] = []
        self.incumbent_margin = 0.0
        self.market_growth = 0.0
        self.entry_rate_per_year = spec.entry.rate_per_year
        self.cumulative_surplus = 0.0
        self.adopters = 0
        self.quarter_units = 0.0
        self.last_quarter_units = 0.0
        self.top_k_spells: list[float] = []
        self.customer_value_by_slot = np.zeros(len(self.firms))
        self._awareness: np.ndarray | None = None

    def initial_awareness(self) -> np.ndarray | None:
        """Per-firm awareness at start, or None when every firm uses the common value."""
        common = self.spec.consumers.initial_awareness
        shares = [
            common if firm.spec_awareness is None else firm.spec_awareness for firm in self.firms
        ]
        if all(firm.spec_awareness is None for firm in self.firms):
            return None
        return np.array(shares)

    def record_event(self, firm: Firm, event: str, detail: str = "", value: float = np.nan):
        """Append one row to the events table."""
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

    # ------------------------------------------------------------------ awareness

    def awareness_shares(self) -> np.ndarray:
        """Share of consumers aware of each firm slot (cached until awareness changes)."""
        if self._awareness is None or len(self._awareness) != len(self.firms):
            self._awareness = self.population.columns.aware.mean(axis=0)
        return self._awareness

    def habit_scale(self) -> np.ndarray | None:
        """Habit multiplier per firm: 0 for firms with no direct relationship (None: all 1)."""
        if all(firm.direct_relationship for firm in self.firms):
            return None
        return np.array([1.0 if firm.direct_relationship else 0.0 for firm in self.firms])

    def word_of_mouth_spreads(self) -> None:
        """Marketing contacts and buyers' referrals make consumers aware; warnings repel.

        See :mod:`sim.mechanics.word_of_mouth` for the rules and their sources.
        """
        cols, talk, n = self.population.columns, self.spec.word_of_mouth, len(self.population)
        spends = np.array([f.marketing_spend if f.alive else 0.0 for f in self.firms])
        if spends.any():
            hazards = wom.marketing_hazard(spends, talk.contact_cost, n)
            for slot in np.flatnonzero(hazards > 0):
                unaware = np.flatnonzero(~cols.aware[:, slot])
                chance = wom.hazard_probability(hazards[slot])
                reached = unaware[self.rng.random(len(unaware)) < chance]
                cols.aware[reached, slot] = True
            self._awareness = None
        if not self.word_of_mouth_on or len(self.buyers) == 0:
            return
        speakers, firm_of = self.buyers, self.bought_from
        positive, warning = wom.voices(
            cols.last_satisfaction[speakers],
            talk.delight_threshold,
            talk.delight_weight,
            talk.disappointment_threshold,
        )
        if not all(firm.direct_relationship for firm in self.firms):
            scale = np.array(
                [1.0 if f.direct_relationship else talk.intermediated_voice for f in self.firms]
            )
            positive, warning = positive * scale[firm_of], warning * scale[firm_of]
        if self.trust is not None:
            positive = self.trust_voice(positive, firm_of)
        if self.network.mean_field:
            self._mean_field_word_of_mouth(firm_of, positive, warning)
        else:
            self._network_word_of_mouth(speakers, firm_of, positive, warning)
        self._awareness = None

    def _mean_field_word_of_mouth(self, firm_of, positive, warning) -> None:
        cols, talk, n = self.population.columns, self.spec.word_of_mouth, len(self.population)
        n_slots = len(self.firms)
        praise = np.bincount(firm_of, weights=positive, minlength=n_slots)
        warnings = np.bincount(firm_of, weights=warning, minlength=n_slots)
        for slot in range(n_slots):
            if talk.referral_rate > 0 and praise[slot] > 0:
                chance = wom.mean_field_probability(praise[slot], n, talk.referral_rate)
                listeners = np.flatnonzero(~cols.aware[:, slot])
                won = listeners[self.rng.random(len(listeners)) < chance]
                cols.aware[won, slot] = True
                if self.trust is not None:
                    self.trust.note_referrals(won, slot)
            if talk.warning_rate > 0 and warnings[slot] > 0:
                chance = wom.mean_field_probability(warnings[slot], n, talk.warning_rate)
                listeners = np.flatnonzero(cols.aware[:, slot] & (cols.last_firm != slot))
                lost = listeners[self.rng.random(len(listeners)) < chance]
                cols.aware[lost, slot] = False

    def _network_word_of_mouth(self, speakers, firm_of, positive, warning) -> None:
        cols, talk = self.population.columns, self.spec.word_of_mouth
        position, listener = wom.exposures(self.network.indptr, self.network.indices, speakers)
        if len(listener) == 0:
            return
        if not cols.aware.flags.c_contiguous:
            cols.aware = np.ascontiguousarray(cols.aware)
        aware = cols.aware.reshape(-1)  # a view: (consumer, firm) -> consumer * F + firm
        firm = firm_of[position]
        cell = listener * cols.aware.shape[1] + firm
        if talk.referral_rate > 0:
            voice = positive[position]
            heard = np.flatnonzero(voice > 0)
            heard = heard[~aware[cell[heard]]]
            chance = wom.exposure_probability(
                voice[heard], self.network_degree[listener[heard]], talk.referral_rate
            )
            won = heard[self.rng.random(len(heard)) < chance]
            aware[cell[won]] = True
            if self.trust is not None:
                self.trust.note_referrals(listener[won], firm[won])
        if talk.warning_rate > 0:
            voice = warning[position]
            heard = np.flatnonzero(voice > 0)
            heard = heard[aware[cell[heard]] & (cols.last_firm[listener[heard]] != firm[heard])]
            chance = wom.exposure_probability(
                voice[heard], self.network_degree[listener[heard]], talk.warning_rate
            )
            lost = heard[self.rng.random(len(heard)) < chance]
            aware[cell[lost]] = False

    def technology_of(self, firm: Firm) -> Technology:
        """Stock dynamics as they work for this firm: investment builds less at low vitality.

        Productivities are scaled by ``1 - k_i (1 - v)`` (``k_i``: the vitality
        investment effect); with the effect off this is the common technology.
        """
        strength = self.spec.vitality.investment_effect
        if strength <= 0:
            return self.technology
        scale = vitality.effect_multiplier(firm.vitality, strength)

        def scaled(stock: tuple[float, float, float]) -> tuple[float, float, float]:
            return (stock[0], stock[1] * scale, stock[2])

        tech = self.technology
        return Technology(scaled(tech.experience), scaled(tech.selection), scaled(tech.efficiency))

    # ------------------------------------------------------------------ innovation

    def firms_experiment(self) -> None:
        """Each firm runs the experiments its quarter's innovation spend bought.

        Successes raise experience at once, or (latent needs) quality at launch. See
        :mod:`sim.mechanics.innovation`.
        """
        inn, vit = self.spec.innovation, self.spec.vitality
        for firm in self.firms:
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
                self.rng,
            )
            firm.experiments += experiments
            firm.successes += successes
            firm.failures += experiments - successes
            if successes == 0:
                continue
            multiples = innovation.pareto_multiples(
                self.rng.random(successes), inn.tail_index, inn.max_multiple
            )
            latent = self.rng.random(successes) < inn.latent_need_share
            for multiple, is_latent in zip(multiples, latent, strict=True):
                if is_latent:
                    due = self.week + inn.launch_weeks
                    firm.launches.append((due, inn.typical_quality_gain * multiple))
                else:
                    firm.experience += inn.typical_experience_gain * multiple
                if multiple >= 10:
                    kind = "latent need" if is_latent else "experience"
                    self.record_event(firm, "breakthrough", kind, multiple)

    def firms_act(self) -> None:
        """Lagged decisions take effect; latent-need inventions launch."""
        for firm in self.firms:
            if not firm.alive:
                continue
            if firm.pending:
                due = [item for item in firm.pending if item[0] <= self.week]
                firm.pending = [item for item in firm.pending if item[0] > self.week]
                for _, decision in due:
                    self.apply_decision(firm, decision)
            if firm.launches:
                due = [gain for week, gain in firm.launches if week <= self.week]
                firm.launches = [item for item in firm.launches if item[0] > self.week]
                for gain in due:
                    firm.quality += gain
                    self.record_event(firm, "launch", "latent need met", gain)

    def schedule_decision(self, firm: Firm, decision) -> None:
        """Apply a decision now, or after the firm's decision lag."""
        if firm.decision_lag <= 0:
            self.apply_decision(firm, decision)
        else:
            firm.pending.append((self.week + firm.decision_lag, decision))

    # ------------------------------------------------------------------ trends

    def released_trends(self) -> list[int]:
        """Indices of the external technology waves released so far."""
        trends = self.spec.trends
        if trends.every_weeks <= 0 or self.week < trends.first_week:
            return []
        return list(range((self.week - trends.first_week) // trends.every_weeks + 1))

    def firms_adopt_trends(self) -> None:
        """Firms adopt released technology waves, vital and eager firms sooner."""
        trends = self.spec.trends
        released = self.released_trends()
        if not released:
            return
        for firm in self.firms:
            if not firm.alive:
                continue
            for wave in released:
                if wave in firm.trends_adopted:
                    continue
                chance = vitality.trend_adoption_probability(
                    trends.adoption_rate, firm.trend_eagerness, firm.vitality
                )
                if self.rng.random() < chance:
                    firm.trends_adopted.add(wave)
                    firm.experience += trends.experience_boost
                    if trends.adoption_cost > 0:
                        firm.spend_once(trends.adoption_cost)
                    self.record_event(firm, "trend_adopted", f"wave {wave + 1}", wave + 1)

    # ------------------------------------------------------------------ vitality

    def vitality_evolves(self) -> None:
        """Vitality erodes with age and size and is renewed by the four defences.

        Also moves proxy focus (growth breeds process) and the proxy gap, and sets
        each firm's decision lag. See :mod:`sim.mechanics.vitality`.
        """
        vit, n = self.spec.vitality, len(self.population)
        weights = (
            vit.renewal_obsession,
            vit.renewal_skepticism,
            vit.renewal_trends,
            vit.renewal_velocity,
        )
        released = len(self.released_trends())
        for firm in self.firms:
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
                firm.age_years(self.week),
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
        vit, life = self.spec.vitality, self.spec.lifecycle
        total_units = self.last_quarter_units
        for firm in self.firms:
            if not firm.alive:
                continue
            firm.unit_share = firm.last_quarter.units / total_units if total_units else 0.0
            quarters_old = (self.week - firm.birth_step) // WEEKS_PER_QUARTER
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
                self.record_event(firm, "renewal", "vitality recovered", firm.vitality)
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
                self.record_event(firm, event, detail, value)

    # ------------------------------------------------------------------ entry and exit

    def firm_exits(self, firm: Firm, reason: str) -> None:
        """A firm leaves the market (death); leftover cash goes to its shareholders."""
        if firm.at_top:
            self.top_k_spells.append((self.week - firm.top_since) / 52.0)
            self.record_event(firm, "left_top_k", "exit", (self.week - firm.top_since) / 52.0)
        firm.exit(self.week, reason)
        self.record_event(firm, "death", reason, firm.cash)

    def exit_irrelevant_firms(self) -> None:
        """Firms irrelevant for too many quarters in a row leave."""
        limit = self.spec.lifecycle.irrelevance_exit_quarters
        if limit <= 0:
            return
        for firm in self.firms:
            if firm.alive and firm.irrelevant_quarters >= limit:
                self.firm_exits(firm, "irrelevance")

    def firms_enter(self) -> None:
        """Founders arrive (Poisson) and start firms from the scenario's templates.

        The rate is ``rate_per_year``, or, when the scenario makes entry respond to
        profits and growth, :func:`sim.mechanics.lifecycle.entry_rate` of the incumbents'
        margin and the market's growth over the last year, updated at quarter ends.
        """
        entry = self.spec.entry
        responsive = entry.profit_response > 0 or entry.growth_response > 0
        if responsive and self.week % WEEKS_PER_QUARTER == 0 and self.week > 0:
            self.update_entry_rate()
        if entry.rate_per_year <= 0 or self.week < entry.start_week:
            return
        if entry.end_week is not None and self.week > entry.end_week:
            return
        rate = self.entry_rate_per_year if responsive else entry.rate_per_year
        arrivals = lifecycle.arrivals(rate / 52.0, self.rng)
        for _ in range(arrivals):
            if sum(firm.alive for firm in self.firms) >= entry.max_alive:
                break
            templates = [t for t in entry.templates if t.weight > 0]
            if len(templates) == 1:
                template = templates[0]
            else:
                weights = np.array([t.weight for t in templates])
                template = templates[self.rng.choice(len(templates), p=weights / weights.sum())]
            self.add_entrant(template)

    def update_entry_rate(self) -> None:
        """Quarter end: the entry rate from incumbents' margin and the market's growth.

        Incumbents are the live firms with four closed quarters; the market's units are
        the quarter's purchases.
        """
        entry = self.spec.entry
        self.market_quarter_units.append(self.last_quarter_units)
        incumbents = [
            firm for firm in self.firms if firm.alive and len(firm.quarterly_revenue) >= 4
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

    def add_entrant(self, template) -> Firm:
        """Create one entrant from a template; consumers learn of it at its awareness."""
        cols = self.population.columns
        count = self.entrants_by_template.get(template.name, 0) + 1
        self.entrants_by_template[template.name] = count
        strategy = resolve_strategy(template.strategy)(**template.strategy_params)
        firm = Firm(
            self,
            template,
            f"{template.name} #{count}",
            len(self.firms),
            strategy,
            birth_step=self.week,
        )
        self.firms.append(firm)
        self.finance.register(firm)
        share = (
            self.spec.entry.awareness
            if template.initial_awareness is None
            else template.initial_awareness
        )
        cols.add_firm_column(self.rng.random(len(cols)) < share)
        self.heterogeneity.firm_born(firm, len(cols), self.rng)
        self.trust_enters()
        self._awareness = None
        self.customer_value_by_slot = np.append(self.customer_value_by_slot, 0.0)
        if self.stats.units_by_slot is not None:
            self.stats.units_by_slot = np.append(self.stats.units_by_slot, 0.0)
        self.entries += 1
        self.record_event(firm, "entry", template.strategy, share)
        launch_price = self.imitation.entrant_copies(self, firm)
        with calling_strategy(firm, "decide", self):
            firm_view, market_view = self.firm_view(firm), self.market_view(firm)
            decision = self.flywheel.firm_decides(firm, firm_view, market_view)
            checked(decision, Decision, "decide")
        self.apply_decision(firm, decision)
        if launch_price is not None:
            firm.price = launch_price
        return firm

    # ------------------------------------------------------------------ tenure and value

    def rank_top_k(self) -> None:
        """Rank live firms by revenue over the last four quarters; track spells in the top K.

        A trailing year, as index providers rank by annual figures, so a single noisy
        quarter does not move a firm in or out.
        """
        revenue = np.array([float(sum(f.quarterly_revenue[-4:])) for f in self.firms])
        top = lifecycle.top_k(revenue, self.alive_mask, self.spec.lifecycle.top_k)
        for firm in self.firms:
            if top[firm.slot] and not firm.at_top:
                firm.at_top, firm.top_since = True, self.week
                self.record_event(firm, "entered_top_k", "", revenue[firm.slot])
            elif firm.at_top and not top[firm.slot]:
                years = (self.week - firm.top_since) / 52.0
                self.top_k_spells.append(years)
                self.record_event(firm, "left_top_k", "", years)
                firm.at_top, firm.top_since = False, None

    def value_firms(self) -> None:
        """Market value of every firm this week (earnings-power rule, see ``value``).

        At its first quarter end a firm also gets its value at birth, the base of its
        total shareholder return: the cash it started with plus the earnings power its
        first quarter showed (a start-up's base is the capital put in; an established
        business's includes the business).
        """
        rate = self.spec.lifecycle.discount_rate
        for firm in self.firms:
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
        units = self.stats.units_by_slot
        total = float(units.sum()) if units is not None else 0.0
        shares = units / total if total > 0 else np.zeros(len(self.firms))
        self.book_customer_value(shares * self.stats.surplus_total)

    def book_customer_value(self, by_slot: np.ndarray) -> None:
        """Record the consumer surplus attributed to each firm this week ($, by slot)."""
        self.customer_value_by_slot = by_slot
        for firm in self.firms:
            firm.week.customer_value = float(by_slot[firm.slot])
            firm.cumulative_customer_value += firm.week.customer_value

    def tsr(self, firm: Firm) -> float:
        """Total shareholder return since birth, net of equity investors put in.

        ``TSR = (V_t + D - E) / V_0 - 1`` with payouts ``D`` and equity raised ``E``. Until
        its first quarter end shows its earnings power, a firm's value at birth is taken to
        be its starting cash (NaN if that is not positive).
        """
        base = firm.value_base
        if base is None:
            base = value.market_value(firm.initial_cash, 0.0, self.spec.lifecycle.discount_rate)
        held = value.shareholder_value(
            firm.cumulative_payout, firm.market_value, self.finance.account(firm).cumulative_equity
        )
        return value.total_shareholder_return(held, 0.0, base)

    def lifecycle_row(self, firm: Firm) -> dict:
        """The life-cycle columns of one firm's row in the firm table."""
        return {
            "age_years": firm.age_years(self.week),
            "vitality": firm.vitality,
            "proxy_focus": firm.proxy_focus,
            "proxy_gap": firm.proxy_gap,
            "decision_lag_weeks": firm.decision_lag,
            "awareness": float(self.awareness_shares()[firm.slot]),
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

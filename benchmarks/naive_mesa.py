"""The consumer choice stage written the naive Mesa way: one Python object per consumer.

This is the yardstick for the vectorised stage ``MarketModel.consumers_choose``. It is a
straightforward, fair Mesa implementation: each :class:`NaiveConsumer` is a
``mesa.Agent`` holding its own traits, and chooses in plain Python (``math``, no numpy
on tiny arrays, which would only make it slower) with the model's ``random`` generator:

    U_ij = q_j + xi_j - alpha_i p_j + beta_i ln(sel_j) + gamma_i (x_j - e_i)
           + h_i [j = last_i] + mu_ij

over the live firms it knows (``xi_j`` the firm's demand shock, ``mu_ij`` the consumer's
lasting brand match, both as in the scenario), logit with an outside option of utility
``u0``, one uniform draw per chooser (inverse CDF), and the same by-products as the
vectorised stage: the expected consumer surplus (log-sum / alpha) and the per-firm count
of needs reached. Where capacity binds, each firm then serves at most its capacity: the
shoppers it serves are drawn at random, and the ones turned away choose again among the
firms with room left, by the same logit, until no firm is over (as the engine does).

``ln(sel_j)`` is computed once per firm per week (the firm's own attribute), not once per
consumer, so the naive version is not handicapped by redundant work.
"""

from __future__ import annotations

import math

import mesa
import numpy as np


class NaiveFirm(mesa.Agent):
    """A firm as the consumers see it: quality, price, selection, experience, alive."""

    def __init__(self, model, quality, price, selection, experience, alive, slot=0):
        super().__init__(model)
        self.slot = slot
        self.quality = float(quality)
        self.price = float(price)
        self.selection = float(selection)
        self.log_selection = math.log(max(self.selection, 1.0))
        self.experience = float(experience)
        self.alive = bool(alive)
        self.needs_reached = 0
        self.capacity = None  # whole units a week it can sell (None: no limit)


class NaiveConsumer(mesa.Agent):
    """One consumer with its own traits, choosing in a Python loop."""

    def __init__(
        self,
        model,
        price_sensitivity,
        selection_taste,
        experience_taste,
        need_rate,
        habit_strength,
        expectation,
        last_firm,
        aware_of,
        brand_match=None,
    ):
        super().__init__(model)
        self.brand_match = brand_match  # list of mu_ij by firm slot, or None
        self.price_sensitivity = float(price_sensitivity)
        self.selection_taste = float(selection_taste)
        self.experience_taste = float(experience_taste)
        self.need_rate = float(need_rate)
        self.habit_strength = float(habit_strength)
        self.expectation = float(expectation)
        self.last_firm = last_firm  # a NaiveFirm or None
        self.aware_of = aware_of  # list of NaiveFirm this consumer knows
        self.has_need = False
        self.choice = None  # NaiveFirm bought from this week, or None
        self.surplus = 0.0
        self.options = []  # (firm, weight) of this week's choice, for a re-choice
        self.outside_weight = 0.0

    def need_arises(self):
        """A need arises this week with probability ``need_rate``."""
        self.has_need = self.random.random() < self.need_rate

    def choose(self):
        """Pick a known live firm or the outside option by logit; record surplus."""
        self.choice = None
        if not self.has_need:
            return
        model = self.model
        u0 = model.outside_utility
        alpha = self.price_sensitivity
        beta = self.selection_taste
        gamma = self.experience_taste
        expectation = self.expectation
        last = self.last_firm
        firms = []
        utilities = []
        top = u0
        for firm in self.aware_of:
            if not firm.alive:
                continue
            u = (
                firm.quality
                - alpha * firm.price
                + beta * firm.log_selection
                + gamma * (firm.experience - expectation)
            )
            if firm is last:
                u += self.habit_strength
            if self.brand_match is not None:
                u += self.brand_match[firm.slot]
            firm.needs_reached += 1
            firms.append(firm)
            utilities.append(u)
            if u > top:
                top = u
        weights = [math.exp(u - top) for u in utilities]
        outside = math.exp(u0 - top)
        self.options = list(zip(firms, weights, strict=True))
        self.outside_weight = outside
        total = outside + sum(weights)
        self.surplus = (top + math.log(total) - u0) / alpha
        model.surplus_total += self.surplus
        draw = self.random.random() * total
        cumulative = outside
        if draw < cumulative:
            return
        for firm, weight in zip(firms, weights, strict=True):
            cumulative += weight
            if draw < cumulative:
                self.choice = firm
                return
        if firms:  # rounding at the top end
            self.choice = firms[-1]

    def choose_again(self, full):
        """Turned away: choose among the firms not in ``full`` and the outside option."""
        options = [(firm, w) for firm, w in self.options if firm not in full]
        total = self.outside_weight + sum(w for _, w in options)
        draw = self.random.random() * total
        cumulative = self.outside_weight
        self.choice = None
        if draw < cumulative:
            return
        for firm, weight in options:
            cumulative += weight
            if draw < cumulative:
                self.choice = firm
                return
        if options:
            self.choice = options[-1][0]

    def step(self):
        """The whole weekly demand step of one consumer: a need may arise, then choose."""
        self.need_arises()
        self.choose()


class NaiveMarket(mesa.Model):
    """Consumers and firms as individual Mesa agents; the choice stage done agent by agent.

    Args:
        firms: dict of per-firm arrays ``quality, price, selection, experience, alive``.
        consumers: dict of per-consumer arrays ``price_sensitivity, selection_taste,
            experience_taste, need_rate, habit_strength, expectation, last_firm`` (slot or
            -1) and ``aware`` (boolean ``(N, F)``).
        outside_utility: ``u0``.
        seed: seed of the model's generators.
    """

    def __init__(self, firms: dict, consumers: dict, outside_utility: float, seed: int = 0):
        super().__init__(rng=seed)
        self.outside_utility = float(outside_utility)
        self.surplus_total = 0.0
        self.firm_list = [
            NaiveFirm(self, *values, slot=slot)
            for slot, values in enumerate(
                zip(
                    firms["quality"],
                    firms["price"],
                    firms["selection"],
                    firms["experience"],
                    firms["alive"],
                    strict=True,
                )
            )
        ]
        for firm, capacity in zip(self.firm_list, firms.get("capacity") or [], strict=False):
            firm.capacity = capacity
        matches = consumers.get("brand_match")
        aware = consumers["aware"]
        for i in range(len(consumers["need_rate"])):
            slot = int(consumers["last_firm"][i])
            NaiveConsumer(
                self,
                consumers["price_sensitivity"][i],
                consumers["selection_taste"][i],
                consumers["experience_taste"][i],
                consumers["need_rate"][i],
                consumers["habit_strength"][i],
                consumers["expectation"][i],
                self.firm_list[slot] if slot >= 0 else None,
                [self.firm_list[j] for j in np.flatnonzero(aware[i])],
                None if matches is None else [float(column[i]) for column in matches],
            )
        self.consumers = self.agents_by_type[NaiveConsumer]
        self.consumer_list = list(self.consumers)

    @classmethod
    def from_market_model(cls, model, seed: int = 0) -> NaiveMarket:
        """Copy the firms and the consumer population of a ``sim.MarketModel``."""
        cols = model.population.columns
        firms = {
            "quality": model.firm_quality(),
            "price": model.firm_vector("price"),
            "selection": model.firm_vector("selection"),
            "experience": model.firm_vector("experience"),
            "alive": model.alive_mask,
        }
        if model.capacity.binds:
            capacity = model.capacity.finance.account
            firms["capacity"] = [
                int(capacity(firm).capacity + 1e-9) if firm.alive else 0 for firm in model.firms
            ]
        consumers = {
            name: getattr(cols, name)
            for name in (
                "price_sensitivity",
                "selection_taste",
                "experience_taste",
                "need_rate",
                "habit_strength",
                "expectation",
                "last_firm",
                "aware",
            )
        }
        if model.heterogeneity.match_on:
            consumers["brand_match"] = [
                column if column is not None else np.zeros(len(cols))
                for column in model.heterogeneity.match
            ]
        return cls(firms, consumers, model.spec.market.outside_utility, seed=seed)

    def set_needs(self, rows: np.ndarray) -> None:
        """Give exactly consumers ``rows`` a need (to match another model's needs stage)."""
        for agent in self.consumer_list:
            agent.has_need = False
        for row in rows:
            self.consumer_list[row].has_need = True

    def start_week(self) -> None:
        """Reset the week's tallies."""
        self.surplus_total = 0.0
        for firm in self.firm_list:
            firm.needs_reached = 0

    def choice_stage(self, shuffle: bool = True) -> None:
        """Consumers with a need choose, in random order (Mesa's ``shuffle_do``) or not."""
        self.start_week()
        if shuffle:
            self.consumers.shuffle_do("choose")
        else:
            self.consumers.do("choose")
        self.ration()

    def ration(self) -> None:
        """Firms over capacity serve a random subset; the others choose again, in rounds."""
        full = set()
        while True:
            buyers = {}
            for agent in self.consumer_list:
                if agent.has_need and agent.choice is not None:
                    buyers.setdefault(agent.choice, []).append(agent)
            over = {
                firm: agents
                for firm, agents in buyers.items()
                if firm.capacity is not None and len(agents) > firm.capacity
            }
            if not over:
                return
            turned = []
            for firm, agents in over.items():
                self.random.shuffle(agents)
                turned += agents[firm.capacity :]
                full.add(firm)
            for agent in turned:
                agent.choose_again(full)

    def demand_step(self) -> None:
        """Needs arise and consumers choose, each agent doing both in its own ``step``."""
        self.start_week()
        self.consumers.shuffle_do("step")
        self.ration()

    def units(self) -> np.ndarray:
        """Units bought from each firm this week."""
        index = {firm: j for j, firm in enumerate(self.firm_list)}
        counts = np.zeros(len(self.firm_list), dtype=np.int64)
        for agent in self.consumer_list:
            if agent.choice is not None:
                counts[index[agent.choice]] += 1
        return counts

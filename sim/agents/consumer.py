"""Consumers: Mesa agents whose state lives in model-owned numpy columns.

The population's work (needs, choices, experiences) is done on whole columns. Each
consumer is still a Mesa agent for inspection: ``model.consumers[i]`` returns a
:class:`Consumer` whose attributes read and write row ``i`` of the columns. Agents are
created the first time a row is looked at, so a million-consumer run does not pay for a
million Python objects it never inspects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import mesa
import numpy as np

from sim.scenario.schema_market import CONSUMER_TRAITS, TRAIT_BOUNDS, ConsumerSpec

NO_FIRM = -1


def draw_segmented_traits(
    spec: ConsumerSpec, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Assign each consumer a segment by weight, then draw its traits from the segment's.

    Args:
        spec: the consumer section, with ``segments``.
        rng: the run's generator (segments first, then each trait segment by segment).

    Returns:
        ``(segment, traits)``: the segment index of each consumer and the trait columns.
    """
    weights = np.array([segment.weight for segment in spec.segments], dtype=float)
    segment = rng.choice(len(weights), size=spec.count, p=weights / weights.sum()).astype(np.int16)
    traits = {}
    for name in CONSUMER_TRAITS:
        column = np.empty(spec.count)
        for index in range(len(weights)):
            members = np.flatnonzero(segment == index)
            column[members] = spec.trait(name, index).sample(rng, len(members), *TRAIT_BOUNDS[name])
        traits[name] = column
    return segment, traits


@dataclass
class ConsumerColumns:
    """State of the whole population, one array per variable (row i = consumer i).

    ``aware`` has one column per firm slot and grows when firms enter.
    """

    price_sensitivity: np.ndarray
    selection_taste: np.ndarray
    experience_taste: np.ndarray
    need_rate: np.ndarray
    habit_strength: np.ndarray
    expectation: np.ndarray
    last_firm: np.ndarray
    last_satisfaction: np.ndarray
    purchases: np.ndarray
    aware: np.ndarray
    segment: np.ndarray | None = None

    @classmethod
    def draw(
        cls,
        spec: ConsumerSpec,
        n_firms: int,
        rng: np.random.Generator,
        awareness: np.ndarray | None = None,
    ) -> ConsumerColumns:
        """Draw a population from the scenario's distributions.

        Args:
            spec: the consumer section of the scenario.
            n_firms: number of firm slots at start.
            rng: the run's generator (draw order is fixed).
            awareness: optional ``(n_firms,)`` chance that a consumer knows each firm
                (default: ``spec.initial_awareness`` for every firm). The same draws
                are used either way.

        Returns:
            The columns.
        """
        n = spec.count
        if spec.segments:
            segment, traits = draw_segmented_traits(spec, rng)
        else:
            segment = None
            traits = {
                name: getattr(spec, name).sample(rng, n, *TRAIT_BOUNDS[name])
                for name in CONSUMER_TRAITS
            }
        threshold = spec.initial_awareness if awareness is None else np.asarray(awareness)
        aware = rng.random((n, n_firms)) < threshold
        return cls(
            price_sensitivity=traits["price_sensitivity"],
            selection_taste=traits["selection_taste"],
            experience_taste=traits["experience_taste"],
            need_rate=traits["need_rate"],
            habit_strength=traits["habit_strength"],
            expectation=traits["initial_expectation"],
            last_firm=np.full(n, NO_FIRM, dtype=np.int32),
            last_satisfaction=np.zeros(n),
            purchases=np.zeros(n, dtype=np.int32),
            aware=aware,
            segment=segment,
        )

    def __len__(self) -> int:
        return len(self.need_rate)

    def add_firm_column(self, aware: np.ndarray) -> None:
        """Append an awareness column for a firm that enters."""
        self.aware = np.concatenate([self.aware, aware[:, None]], axis=1)


class Consumer(mesa.Agent):
    """One consumer: a Mesa agent that is a view on row ``row`` of the columns.

    It is not registered with the model (``model.agents`` holds firms and platforms
    only), so looking at consumers never changes the model; its ``unique_id`` is
    ``"consumer <row>"``.
    """

    def __init__(self, model: mesa.Model, row: int):  # no super().__init__: not registered
        self.model = model
        self.unique_id = f"consumer {row}"
        self.pos = None
        self.row = row

    @property
    def _columns(self) -> ConsumerColumns:
        return self.model.population.columns

    @property
    def price_sensitivity(self) -> float:
        """alpha_i, utils per $."""
        return float(self._columns.price_sensitivity[self.row])

    @property
    def selection_taste(self) -> float:
        """beta_i, utils per unit of ln(selection)."""
        return float(self._columns.selection_taste[self.row])

    @property
    def experience_taste(self) -> float:
        """gamma_i, utils per experience unit."""
        return float(self._columns.experience_taste[self.row])

    @property
    def need_rate(self) -> float:
        """lambda_i, probability per week that a need arises."""
        return float(self._columns.need_rate[self.row])

    @property
    def habit_strength(self) -> float:
        """h_i, utils for buying again from the last firm."""
        return float(self._columns.habit_strength[self.row])

    @property
    def expectation(self) -> float:
        """e_i, the experience this consumer now takes for granted."""
        return float(self._columns.expectation[self.row])

    @property
    def last_firm(self):
        """The firm this consumer bought from last, or None."""
        slot = int(self._columns.last_firm[self.row])
        return None if slot == NO_FIRM else self.model.firms[slot]

    @property
    def purchases(self) -> int:
        """Purchases made so far."""
        return int(self._columns.purchases[self.row])

    @property
    def segment(self) -> str | None:
        """Name of the consumer's segment, or None when the scenario has no segments."""
        segment = self._columns.segment
        if segment is None:
            return None
        return self.model.spec.consumers.segments[int(segment[self.row])].name

    @property
    def aware_of(self) -> list:
        """Firms this consumer knows."""
        return [self.model.firms[j] for j in np.nonzero(self._columns.aware[self.row])[0]]

    @property
    def brand_match(self) -> dict[str, float]:
        """mu_ij, utils: lasting match with each live firm by name (empty when off)."""
        columns = self.model.heterogeneity.match
        return {
            self.model.firms[slot].name: float(column[self.row])
            for slot, column in enumerate(columns)
            if column is not None
        }

    def __repr__(self) -> str:
        return f"Consumer(row={self.row}, alpha={self.price_sensitivity:.4g})"


class ConsumerPopulation(Sequence):
    """The consumers of a model: columns plus lazily created :class:`Consumer` agents."""

    def __init__(self, model: mesa.Model, columns: ConsumerColumns):
        self.model = model
        self.columns = columns
        self._agents: dict[int, Consumer] = {}

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        row = int(index)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"consumer index {index} out of range 0..{len(self) - 1}")
        agent = self._agents.get(row)
        if agent is None:
            agent = Consumer(self.model, row)
            self._agents[row] = agent
        return agent

    def __iter__(self) -> Iterator[Consumer]:
        return (self[i] for i in range(len(self)))

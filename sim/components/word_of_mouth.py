"""Awareness in the model: the social network, marketing contacts, referrals and warnings.

:class:`WordOfMouth` is owned by the life-cycle component (``model.lifecycle.word_of_mouth``);
it holds the consumers' social network and the share of consumers aware of each firm,
and runs the weekly stage in which marketing and buyers' voices spread awareness. The
rules and their sources are in :mod:`sim.mechanics.word_of_mouth`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanics import network
from sim.mechanics import word_of_mouth as wom
from sim.scenario.schema_dynamics import NetworkGenerator

if TYPE_CHECKING:
    from sim.model.market import MarketModel


class WordOfMouth:
    """The social network and the weekly spread of awareness (draws only when it acts).

    Args:
        model: the model; the network is drawn from its generator at construction.
    """

    def __init__(self, model: MarketModel):
        self.model = model
        spec = model.spec
        n = spec.consumers.count
        net = spec.network
        use_networkx = net.generator is NetworkGenerator.networkx or (
            net.generator is NetworkGenerator.auto and n <= net.networkx_max_nodes
        )
        self.network = network.build_network(
            net.kind.value, n, net.mean_degree, net.rewiring, model.rng, use_networkx
        )
        self.degree: np.ndarray = self.network.degree
        talk = spec.word_of_mouth
        self.on: bool = not self.network.empty and (talk.referral_rate > 0 or talk.warning_rate > 0)
        self._awareness: np.ndarray | None = None

    def awareness_shares(self) -> np.ndarray:
        """Share of consumers aware of each firm slot (cached until awareness changes)."""
        model = self.model
        if self._awareness is None or len(self._awareness) != len(model.firms):
            self._awareness = model.population.columns.aware.mean(axis=0)
        return self._awareness

    def awareness_changed(self) -> None:
        """Forget the cached awareness shares (a firm entered or awareness spread)."""
        self._awareness = None

    def spread(self) -> None:
        """Marketing contacts and buyers' referrals make consumers aware; warnings repel.

        See :mod:`sim.mechanics.word_of_mouth` for the rules and their sources.
        """
        model = self.model
        cols, talk, n = model.population.columns, model.spec.word_of_mouth, len(model.population)
        spends = np.array([f.marketing_spend if f.alive else 0.0 for f in model.firms])
        if spends.any():
            hazards = wom.marketing_hazard(spends, talk.contact_cost, n)
            for slot in np.flatnonzero(hazards > 0):
                unaware = np.flatnonzero(~cols.aware[:, slot])
                chance = wom.hazard_probability(hazards[slot])
                reached = unaware[model.rng.random(len(unaware)) < chance]
                cols.aware[reached, slot] = True
            self._awareness = None
        if not self.on or len(model.buyers) == 0:
            return
        speakers, firm_of = model.buyers, model.bought_from
        positive, warning = wom.voices(
            cols.last_satisfaction[speakers],
            talk.delight_threshold,
            talk.delight_weight,
            talk.disappointment_threshold,
        )
        if not all(firm.direct_relationship for firm in model.firms):
            scale = np.array(
                [1.0 if f.direct_relationship else talk.intermediated_voice for f in model.firms]
            )
            positive, warning = positive * scale[firm_of], warning * scale[firm_of]
        positive = model.trust.voice(positive, firm_of)
        if self.network.mean_field:
            self._mean_field(firm_of, positive, warning)
        else:
            self._through_network(speakers, firm_of, positive, warning)
        self._awareness = None

    def _mean_field(self, firm_of: np.ndarray, positive: np.ndarray, warning: np.ndarray) -> None:
        model = self.model
        cols, talk, n = model.population.columns, model.spec.word_of_mouth, len(model.population)
        n_slots = len(model.firms)
        praise = np.bincount(firm_of, weights=positive, minlength=n_slots)
        warnings = np.bincount(firm_of, weights=warning, minlength=n_slots)
        for slot in range(n_slots):
            if talk.referral_rate > 0 and praise[slot] > 0:
                chance = wom.mean_field_probability(praise[slot], n, talk.referral_rate)
                listeners = np.flatnonzero(~cols.aware[:, slot])
                won = listeners[model.rng.random(len(listeners)) < chance]
                cols.aware[won, slot] = True
                model.trust.note_referrals(won, slot)
            if talk.warning_rate > 0 and warnings[slot] > 0:
                chance = wom.mean_field_probability(warnings[slot], n, talk.warning_rate)
                listeners = np.flatnonzero(cols.aware[:, slot] & (cols.last_firm != slot))
                lost = listeners[model.rng.random(len(listeners)) < chance]
                cols.aware[lost, slot] = False

    def _through_network(
        self,
        speakers: np.ndarray,
        firm_of: np.ndarray,
        positive: np.ndarray,
        warning: np.ndarray,
    ) -> None:
        model = self.model
        cols, talk = model.population.columns, model.spec.word_of_mouth
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
                voice[heard], self.degree[listener[heard]], talk.referral_rate
            )
            won = heard[model.rng.random(len(heard)) < chance]
            aware[cell[won]] = True
            model.trust.note_referrals(listener[won], firm[won])
        if talk.warning_rate > 0:
            voice = warning[position]
            heard = np.flatnonzero(voice > 0)
            heard = heard[aware[cell[heard]] & (cols.last_firm[listener[heard]] != firm[heard])]
            chance = wom.exposure_probability(
                voice[heard], self.degree[listener[heard]], talk.warning_rate
            )
            lost = heard[model.rng.random(len(heard)) < chance]
            aware[cell[lost]] = False

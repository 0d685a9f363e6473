"""Research with noise: the model's component that samples and measures for each firm.

Held by ``MarketModel`` as ``model.research``. Off (the default), it only measures the
free, exact research every firm gets (a random sample of ``market.research_sample_size``
consumers): its size and the sampling error of its mean log price sensitivity. On, it
draws each firm's stratified sample (owned customers and surveyed respondents), puts
measurement noise on the sampled tastes and books the research spend
(``sim.mechanics.research``). All its draws come from a generator spawned from the
run's generator when research is on; off, it draws nothing.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.mechanics.research import (
    log_variance,
    observed_tastes,
    owned_noise_sd,
    stratified_mean_variance,
    stratum_sizes,
    survey_respondents,
)
from sim.scenario.schema_research import ResearchSpec
from sim.strategies.research_terms import ResearchTerms

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.agents.platform import Platform
    from sim.model.market import MarketModel

RESEARCH_FIRM_COLUMNS = ["research_spend", "research_sample", "research_error"]
RESEARCH_PLATFORM_COLUMNS = ["research_sample", "research_error"]
TASTES = ("price_sensitivity", "selection_taste", "experience_taste")
DIRECT = 0


@dataclasses.dataclass
class ResearchSample:
    """Rows of one firm's research and how they stand for the market.

    Attributes:
        rows: consumer rows, owned customers first.
        weights: ``lambda_i N_h / n_h``, expected weekly needs each row stands for.
        noise_sd: log-sd of the taste error of each row.
        terms: the terms and precision the firm's strategy sees.
    """

    rows: np.ndarray
    weights: np.ndarray
    noise_sd: np.ndarray
    terms: ResearchTerms


class Research:
    """Each firm's research: who is sampled, how precisely, at what cost.

    Args:
        spec: the scenario's ``research`` section.
        rng: the run's generator; a child is spawned from it only when research is on.
    """

    name: ClassVar[str] = "research"
    firm_columns: list[str] = RESEARCH_FIRM_COLUMNS

    def __init__(self, spec: ResearchSpec, rng: np.random.Generator):
        self.spec = spec
        self.enabled = spec.enabled
        self.rng = rng.spawn(1)[0] if spec.enabled else None
        self._taste_variance: float | None = None

    @property
    def generator(self) -> np.random.Generator:
        """The research's own generator (it exists only when research with noise is on)."""
        if self.rng is None:
            raise RuntimeError("research with noise is off: it has no generator")
        return self.rng

    # ------------------------------------------------------------------ strata

    def taste_variance(self, model: MarketModel) -> float:
        """``S^2`` of log price sensitivity over the population (tastes never change)."""
        if self._taste_variance is None:
            self._taste_variance = log_variance(model.population.columns.price_sensitivity)
        return self._taste_variance

    @staticmethod
    def owned_mask(model: MarketModel, firm: Firm) -> np.ndarray:
        """Consumers whose relationship the firm owns: they last bought direct from it."""
        cols = model.population.columns
        owned = cols.last_firm == firm.slot
        if model.channels.columns is not None:
            owned &= model.channels.columns.last_channel == DIRECT
        return owned

    @staticmethod
    def platform_owned_mask(model: MarketModel, platform: Platform) -> np.ndarray:
        """Consumers whose relationship the platform owns: they last bought through it."""
        return model.channels.state.last_channel == platform.slot + 1

    # ------------------------------------------------------------------ firms

    def sample(self, model: MarketModel, firm) -> ResearchSample:
        """Draw the firm's stratified research sample (research on).

        Owned customers: all of them up to ``max_sample`` (drawn at random beyond);
        respondents: ``free + 13 s / c`` drawn at random from everyone else.
        """
        spec, cols = self.spec, model.population.columns
        population = len(cols)
        owned_mask = self.owned_mask(model, firm)
        owned_rows = np.flatnonzero(owned_mask)
        rest_rows = np.flatnonzero(~owned_mask)
        respondents = survey_respondents(
            spec.free_respondents, firm.spend_research, spec.cost_per_respondent
        )
        n_owned, n_survey = stratum_sizes(population, len(owned_rows), respondents, spec.max_sample)
        picked_owned = self._pick(owned_rows, n_owned)
        picked_rest = self._pick(rest_rows, n_survey)
        sd_owned = owned_noise_sd(spec.owned_noise, firm.knowledge)
        rows = np.concatenate([picked_owned, picked_rest])
        scale = np.concatenate(
            [
                np.full(n_owned, len(owned_rows) / n_owned if n_owned else 0.0),
                np.full(n_survey, len(rest_rows) / n_survey if n_survey else 0.0),
            ]
        )
        noise = np.concatenate([np.full(n_owned, sd_owned), np.full(n_survey, spec.survey_noise)])
        spread = self.taste_variance(model)
        variance = stratified_mean_variance(
            np.array([len(owned_rows), len(rest_rows)]),
            np.array([n_owned, n_survey]),
            np.array([spread, spread]),
            np.array([sd_owned, spec.survey_noise]),
        )
        terms = ResearchTerms(
            cost_per_respondent=spec.cost_per_respondent,
            free_respondents=spec.free_respondents,
            max_sample=spec.max_sample,
            population=population,
            owned=len(owned_rows),
            owned_noise_sd=sd_owned,
            survey_noise_sd=spec.survey_noise,
            taste_variance=spread,
            owned_sample=n_owned,
            survey_sample=n_survey,
            error_sd=math.sqrt(variance),
            weekly_spend=firm.spend_research,
        )
        firm.research_sample = len(rows)
        firm.research_error = terms.error_sd
        return ResearchSample(rows, cols.need_rate[rows] * scale, noise, terms)

    def _pick(self, rows: np.ndarray, size: int) -> np.ndarray:
        if size >= len(rows):
            return rows
        return np.sort(self.generator.choice(rows, size=size, replace=False))

    def observe(self, research, sample: ResearchSample):
        """The research with its sampled tastes observed with noise.

        ``ln theta_hat = ln theta + sigma_h eps`` for price sensitivity, selection taste and
        experience taste (one standard normal per row and taste); in channel mode the
        shoppers the channel choice evaluates see the same observed tastes.
        """
        normals = self.generator.standard_normal((len(sample.rows), len(TASTES)))
        observed = {
            taste: observed_tastes(getattr(research, taste), sample.noise_sd, normals[:, k])
            for k, taste in enumerate(TASTES)
        }
        shoppers = getattr(research, "shoppers", None)
        if shoppers is not None:
            observed["shoppers"] = dataclasses.replace(shoppers, **observed)
        return dataclasses.replace(research, terms=sample.terms, **observed)

    def record_free(self, model: MarketModel, firm, size: int) -> None:
        """Research off: record the free exact sample's size and sampling error.

        ``V = (1 - n/N) S^2 / n``: a simple random sample, no response error.
        """
        population = len(model.population.columns)
        firm.research_sample = size
        firm.research_error = math.sqrt(
            stratified_mean_variance(
                np.array([population]),
                np.array([size]),
                np.array([self.taste_variance(model)]),
                np.array([0.0]),
            )
        )

    # ------------------------------------------------------------------ platforms

    def platform_row(self, model: MarketModel, platform) -> dict:
        """The platforms table's research columns (research on; NaN error when off).

        A platform studies every shopper whose relationship it owns (no cap: it holds
        their records) and surveys the free respondents of the rest.
        """
        if not self.enabled:
            return {"research_sample": 0, "research_error": math.nan}
        spec = self.spec
        population = len(model.population.columns)
        owned = int(self.platform_owned_mask(model, platform).sum())
        _, n_survey = stratum_sizes(population, owned, spec.free_respondents, population)
        sd_owned = owned_noise_sd(spec.owned_noise, platform.knowledge)
        spread = self.taste_variance(model)
        variance = stratified_mean_variance(
            np.array([owned, population - owned]),
            np.array([owned, n_survey]),
            np.array([spread, spread]),
            np.array([sd_owned, spec.survey_noise]),
        )
        return {"research_sample": owned + n_survey, "research_error": math.sqrt(variance)}

    # ------------------------------------------------------------------ columns

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The firm table's research columns for this week."""
        return {
            "research_spend": firm.week.research,
            "research_sample": firm.research_sample,
            "research_error": firm.research_error,
        }

"""What a firm's research costs and how precise it is, as its strategy sees it.

A strategy reads ``firm.research_terms`` (None when research is free and exact) to
judge the precision of the research in hand and what more respondents would buy
(``sim.mechanics.research``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.mechanics.research import (
    pricing_loss,
    stratified_mean_variance,
    stratum_sizes,
    survey_respondents,
)

WEEKS_PER_QUARTER = 13


@dataclass(frozen=True)
class ResearchTerms:
    """Terms and precision of a firm's research with noise.

    Attributes:
        cost_per_respondent: $ per respondent surveyed beyond the free ones.
        free_respondents: respondents surveyed free each quarter.
        max_sample: largest sample per stratum.
        population: consumers in the market, ``N``.
        owned: owned customers ``N_O`` (last bought direct from the firm).
        owned_noise_sd: log-sd of a taste inferred from an owned customer.
        survey_noise_sd: log-sd of a taste a respondent states.
        taste_variance: ``S^2``, variance of log price sensitivity in the market.
        owned_sample: owned customers in the research in hand, ``n_O``.
        survey_sample: respondents in the research in hand, ``n_R``.
        error_sd: sd of the research's estimate of mean log price sensitivity, ``sqrt V``.
        weekly_spend: research spend ($ per week) that bought the research in hand.
    """

    cost_per_respondent: float
    free_respondents: int
    max_sample: int
    population: int
    owned: int
    owned_noise_sd: float
    survey_noise_sd: float
    taste_variance: float
    owned_sample: int
    survey_sample: int
    error_sd: float
    weekly_spend: float = 0.0

    @property
    def sample(self) -> int:
        """Consumers in the research in hand (owned and surveyed)."""
        return self.owned_sample + self.survey_sample

    def error_variance(self, weekly_spend: float) -> float:
        """``V`` of next quarter's research at a weekly spend (owned customers as today)."""
        respondents = survey_respondents(
            self.free_respondents, weekly_spend, self.cost_per_respondent
        )
        n_owned, n_survey = stratum_sizes(self.population, self.owned, respondents, self.max_sample)
        return stratified_mean_variance(
            np.array([self.owned, self.population - self.owned], dtype=float),
            np.array([n_owned, n_survey], dtype=float),
            np.array([self.taste_variance, self.taste_variance], dtype=float),
            np.array([self.owned_noise_sd, self.survey_noise_sd], dtype=float),
        )

    def spend_for_respondents(self, respondents: float) -> float:
        """Weekly spend that buys ``respondents`` in total (free ones included), $."""
        extra = max(0.0, respondents - self.free_respondents)
        return extra * self.cost_per_respondent / WEEKS_PER_QUARTER

    def spend_for_error(self, target_sd: float) -> float:
        """Smallest weekly spend whose research reaches an error sd of ``target_sd``.

        Bisection on the respondents bought (``V`` falls as respondents rise). When no
        spend up to the sample cap reaches the target, the spend for the cap.
        """
        target = target_sd**2
        low = float(self.free_respondents)
        if self.error_variance(0.0) <= target:
            return 0.0
        high = float(max(self.max_sample, self.free_respondents))
        if self.error_variance(self.spend_for_respondents(high)) > target:
            return self.spend_for_respondents(high)
        while high - low > 1.0:
            middle = math.floor(0.5 * (low + high))
            if self.error_variance(self.spend_for_respondents(middle)) <= target:
                high = middle
            else:
                low = middle
        return self.spend_for_respondents(high)

    def spend_that_pays(self, contribution: float, share: float) -> float:
        """Weekly spend that maximises the pricing loss it avoids less its cost, $.

        Candidates: the free panel doubled up to the sample cap. The loss avoided is
        :func:`sim.mechanics.research.pricing_loss` at today's precision less at the
        candidate's; spend and loss are both per week of the quarter the research informs.

        Args:
            contribution: weekly contribution at the firm's price ($).
            share: the firm's share of the needs it reaches, in [0, 1).
        """
        base = pricing_loss(contribution, share, self.error_variance(0.0))
        best, best_net = 0.0, 0.0
        respondents = 2.0 * self.free_respondents
        while respondents <= max(self.max_sample, 2 * self.free_respondents):
            spend = self.spend_for_respondents(respondents)
            saved = base - pricing_loss(contribution, share, self.error_variance(spend))
            if saved - spend > best_net:
                best, best_net = spend, saved - spend
            respondents *= 2.0
        return best

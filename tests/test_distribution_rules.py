"""A consumer-trait distribution's rules and their messages (scenario files show them)."""

import numpy as np
import pytest
from pydantic import ValidationError

from sim.scenario.schema_base import Distribution


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"kind": "uniform", "low": 2, "high": 1},
            "uniform needs low <= high, got low=2.0 high=1.0",
        ),
        ({"kind": "lognormal", "mean": -1, "sd": 1}, "lognormal needs mean > 0, got -1.0"),
        ({"kind": "beta", "mean": 1.5, "sd": 0.1}, "beta needs 0 < mean < 1, got 1.5"),
        (
            {"kind": "beta", "mean": 0.5, "sd": 0.6},
            "beta needs sd**2 < mean*(1-mean) = 0.25, got sd=0.6",
        ),
        ({"kind": "normal", "mean": 1}, "kind normal needs sd"),
        ({"kind": "uniform"}, "kind uniform needs low, high"),
    ],
)
def test_a_distribution_that_breaks_a_rule_names_it(given, message):
    with pytest.raises(ValidationError) as caught:
        Distribution.model_validate(given)
    assert caught.value.errors()[0]["msg"] == f"Value error, {message}"


def test_central_values_by_kind():
    assert Distribution.model_validate(3.5).central() == 3.5
    assert Distribution.model_validate({"kind": "uniform", "low": 0, "high": 3}).central() == 1.5
    assert Distribution.model_validate({"kind": "beta", "mean": 0.3, "sd": 0.1}).central() == 0.3


def test_a_beta_without_spread_draws_its_mean():
    draws = Distribution.model_validate({"kind": "beta", "mean": 0.3, "sd": 0}).sample(
        np.random.default_rng(7), 4, 0.0, 1.0
    )
    assert draws.tolist() == [0.3] * 4

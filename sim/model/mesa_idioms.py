"""How :class:`~sim.model.market.MarketModel` meets Mesa 3's conventions.

* **Seeds.** ``rng`` is Mesa's: ``None`` draws fresh entropy, an integer is the seed, a
  ``numpy`` Generator (or BitGenerator, SeedSequence) gives one seed drawn from it. The
  project's ``seed`` keyword takes an integer, or ``"scenario"`` for the scenario file's
  own seed. The seed used is ``model.seed`` either way, so any run can be repeated with
  ``sim.run(scenario, seed=model.seed)``.
* **Parameters as keywords.** ``MarketModel("baseline", **{"consumers.count": 500})``
  or ``MarketModel("baseline", consumers__count=500)``: dotted scenario paths, as
  ``mesa.batch_run`` passes its ``parameters``; ``__`` stands for a dot.
* **Agents.** ``model.agents`` holds the firms and platforms still in the market. Exited
  firms and closed platforms leave it at the end of the week they exit (they stay in
  ``model.firms`` and ``model.platforms`` with their record). Consumers are rows of
  numpy columns; ``model.consumers[i]`` is a view of row ``i``, a ``mesa.Agent`` that is
  never registered, so looking at consumers does not change ``model.agents``.
* **Data.** The firm columns of :data:`FIRM_REPORTERS` are Mesa agent-type reporters of
  :class:`~sim.agents.firm.Firm`, so ``mesa.batch_run`` returns one row per firm; the
  full weekly firm table stays the DataCollector table ``firms``.
* **Stopping.** ``model.running`` turns False at the scenario's horizon (``steps``).
* **Names.** The project's scenario is ``model.spec``; ``model.scenario`` is Mesa's own
  scenario object, left as Mesa sets it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCENARIO_SEED = "scenario"


def run_seed(scenario_seed: int, seed: int | str | None, rng: Any) -> int:
    """The integer seed of a run from the ``seed`` and ``rng`` keywords.

    Args:
        scenario_seed: the scenario's own seed.
        seed: an integer, ``"scenario"`` for ``scenario_seed``, or None.
        rng: None (fresh entropy), an integer, or a numpy Generator, BitGenerator or
            SeedSequence to draw the seed from.

    Returns:
        A non-negative integer seed.

    Raises:
        ValueError: when both are given, or either is of a kind not listed.
    """
    from sim.model.seeds import child_seed

    if seed is not None and rng is not None:
        raise ValueError("give the seed as `seed` or as `rng`, not both")
    if seed == SCENARIO_SEED:
        return scenario_seed
    value = rng if seed is None else seed
    if value is None:
        return child_seed(np.random.SeedSequence())
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0:
        return int(value)
    if isinstance(value, np.random.SeedSequence):
        return child_seed(value)
    if isinstance(value, np.random.Generator | np.random.BitGenerator):
        return int(np.random.default_rng(value).integers(2**63))
    raise ValueError(
        f"seed or rng must be a whole number >= 0, a numpy Generator or None (fresh "
        f"entropy), or seed='scenario' for the scenario's own seed; got {value!r}"
    )


def keyword_overrides(keywords: dict[str, Any]) -> dict[str, Any]:
    """Scenario overrides from constructor keywords: ``consumers__count`` -> ``consumers.count``."""
    return {key.replace("__", "."): value for key, value in keywords.items()}


def _week_units(firm) -> int:
    return firm.week.units


def _week_profit(firm) -> float:
    return firm.week.profit


def _week_share(firm) -> float:
    total = firm.model.stats.purchases
    return firm.week.units / total if total else 0.0


FIRM_REPORTERS = {
    "firm": "name",
    "strategy": "strategy_name",
    "price": "price",
    "units": _week_units,
    "share": _week_share,
    "profit": _week_profit,
    "cash": "cash",
    "cumulative_payout": "cumulative_payout",
    "alive": "alive",
}
"""Firm columns collected every week as Mesa agent-type reporters (name -> attribute or
function of the firm)."""

"""Summary outcomes of one run: named functions over a :class:`~sim.runs.runner.RunResult`.

Two families, both plain module-level functions so they pickle for parallel runs:

* market outcomes ``f(result, window) -> float``, read from the model table;
* strategy outcomes ``f(result, window, strategy) -> float``, read from the firm table,
  one column per strategy present in the sweep, named ``<outcome>__<strategy>``
  (e.g. ``final_share__customer_obsessed``).

A user's own outcome is named ``module:function``: a function ``f(result, window) ->
float`` of the run's :class:`~sim.runs.runner.RunResult` (all its tables) and the window,
imported from an installed module or one in the current folder. Its column in the
results is the name itself.

"Final" means the mean over the last ``window`` weeks (52 by default, the final year),
or over the whole run when it is shorter. Step 0 (the state before the first week, when
nothing has been sold yet) is never part of a window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from sim.mechanics.value import shareholder_value

STRATEGY_SEPARATOR = "__"
USER_SEPARATOR = ":"


def final_window(table: pd.DataFrame, window: int) -> pd.DataFrame:
    """Rows of a per-step table in the last ``window`` weeks (step 0 excluded).

    Args:
        table: a table with a ``step`` column.
        window: number of weeks, >= 1.

    Returns:
        The rows with ``step > last_step - window`` and ``step >= 1``.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1 week, got {window}")
    last = int(table["step"].max())
    return table[(table["step"] > last - window) & (table["step"] >= 1)]


class Prepared:
    """A run's tables with the slices that several outcomes share, each computed once.

    Outcome functions accept it wherever they accept a ``RunResult`` (it has the same
    ``model`` and ``firms`` tables); :func:`compute` hands them one.
    """

    def __init__(self, result):
        self.model = result.model
        self.firms = result.firms
        self._memo: dict = {}

    def memo(self, key: tuple, make):
        """The value for ``key``, made by ``make()`` the first time."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


def _memo(result, key: tuple, make):
    return result.memo(key, make) if isinstance(result, Prepared) else make()


def _model_window(result, window: int) -> pd.DataFrame:
    return _memo(result, ("model", window), lambda: final_window(result.model, window))


def _final_mean(result, window: int, column: str) -> float:
    rows = _model_window(result, window)
    return float(rows[column].mean()) if len(rows) else float("nan")


# ---------------------------------------------------------------- market outcomes


def final_customer_obsessed_share(result, window: int) -> float:
    """Share of units sold by customer-obsessed firms, mean over the final window (0-1)."""
    return _final_mean(result, window, "customer_obsessed_share")


def final_consumer_surplus(result, window: int) -> float:
    """Consumer surplus per consumer with a need ($ per week), final-window mean."""
    return _final_mean(result, window, "consumer_surplus")


def final_hhi(result, window: int) -> float:
    """Herfindahl-Hirschman index of unit shares (0-1), final-window mean."""
    return _final_mean(result, window, "hhi")


def final_outside_share(result, window: int) -> float:
    """Share of needs left unserved (outside option, 0-1), final-window mean."""
    return _final_mean(result, window, "outside_share")


def final_mean_price(result, window: int) -> float:
    """Quantity-weighted price paid ($ per unit), final-window mean."""
    return _final_mean(result, window, "mean_price")


def final_repeat_share(result, window: int) -> float:
    """Share of purchases from the buyer's previous firm (0-1), final-window mean."""
    return _final_mean(result, window, "repeat_share")


def final_mean_expectation(result, window: int) -> float:
    """Consumers' mean experience expectation (experience units), final-window mean."""
    return _final_mean(result, window, "mean_expectation")


def final_n_firms_alive(result, window: int) -> float:
    """Firms still in the market at the last step (count)."""
    return float(result.model["n_firms_alive"].iloc[-1])


def cumulative_consumer_surplus(result, window: int) -> float:
    """Consumer surplus summed over every week of the run ($)."""
    return float(result.model["consumer_surplus_total"].sum())


def cumulative_spending(result, window: int) -> float:
    """Consumer spending on firms summed over every week of the run ($)."""
    return float(result.model["spending"].sum())


# ---------------------------------------------------------------- strategy outcomes


def _firms_of(result, strategy: str) -> pd.DataFrame:
    def make() -> dict[str, pd.DataFrame]:
        return dict(tuple(result.firms.groupby("strategy", sort=False)))

    groups = _memo(result, ("firms by strategy",), make)
    return groups.get(strategy, result.firms.iloc[0:0])


def _firms_window(result, window: int, strategy: str) -> pd.DataFrame:
    def make() -> pd.DataFrame:
        firms = _firms_of(result, strategy)
        return final_window(firms, window) if len(firms) else firms

    return _memo(result, ("firms window", strategy, window), make)


def _firms_last(result, strategy: str) -> pd.DataFrame:
    def make() -> pd.DataFrame:
        firms = _firms_of(result, strategy)
        return firms[firms["step"] == firms["step"].max()]

    return _memo(result, ("firms last", strategy), make)


def final_share(result, window: int, strategy: str) -> float:
    """Unit share of the strategy's firms together (0-1), final-window mean; NaN if absent."""
    rows = _firms_window(result, window, strategy)
    return float(rows.groupby("step")["share"].sum().mean()) if len(rows) else float("nan")


def survival(result, window: int, strategy: str) -> float:
    """Share of the strategy's firms still alive at the last step (0-1); NaN if absent."""
    last = _firms_last(result, strategy)
    return float(last["alive"].mean()) if len(last) else float("nan")


def payout_per_firm(result, window: int, strategy: str) -> float:
    """Cumulative payout to owners per firm of the strategy at the end ($); NaN if absent."""
    last = _firms_last(result, strategy)
    return float(last["cumulative_payout"].mean()) if len(last) else float("nan")


def final_price(result, window: int, strategy: str) -> float:
    """Mean posted price of the strategy's live firms ($), final-window mean; NaN if none."""
    rows = _firms_window(result, window, strategy)
    rows = rows[rows["alive"]] if len(rows) else rows
    return float(rows["price"].mean()) if len(rows) else float("nan")


def _shareholder_values(rows: pd.DataFrame) -> pd.Series:
    """Each row's shareholder value, :func:`sim.mechanics.value.shareholder_value`."""
    return shareholder_value(
        rows["cumulative_payout"], rows.get("market_value", 0.0), rows.get("cumulative_equity", 0.0)
    )


def shareholder_value_at(result, strategy: str, year: float) -> float:
    """Shareholder value per firm of a strategy at ``year`` ($); NaN if absent or too early.

    A firm's shareholder value is what its owners have had and still hold: payouts so far
    less equity put in, plus the market value now (0 once it has exited):
    ``SV = D - E + V``. The mean is over every firm of the strategy born by then, dead or
    alive, so failures count.
    """
    firms = _firms_of(result, strategy)
    step = round(52 * year)
    if not len(firms) or int(result.firms["step"].max()) < step:
        return float("nan")
    rows = firms[firms["step"] == step]
    if not len(rows):
        return float("nan")
    return float(_shareholder_values(rows).mean())


def shareholder_value_y2(result, window: int, strategy: str) -> float:
    """Shareholder value per firm of the strategy at year 2 ($); see ``shareholder_value_at``."""
    return shareholder_value_at(result, strategy, 2)


def shareholder_value_y5(result, window: int, strategy: str) -> float:
    """Shareholder value per firm of the strategy at year 5 ($); see ``shareholder_value_at``."""
    return shareholder_value_at(result, strategy, 5)


def shareholder_value_y10(result, window: int, strategy: str) -> float:
    """Shareholder value per firm of the strategy at year 10 ($); see ``shareholder_value_at``."""
    return shareholder_value_at(result, strategy, 10)


def share_y10(result, window: int, strategy: str) -> float:
    """Unit share of the strategy's firms over year 10 (weeks 469-520, 0-1); NaN if shorter."""
    firms = _firms_of(result, strategy)
    if not len(firms) or int(result.firms["step"].max()) < 520:
        return float("nan")
    rows = firms[(firms["step"] > 468) & (firms["step"] <= 520)]
    return float(rows.groupby("step")["share"].sum().mean())


MARKET_OUTCOMES: dict[str, Callable] = {
    function.__name__: function
    for function in (
        final_customer_obsessed_share,
        final_consumer_surplus,
        final_hhi,
        final_outside_share,
        final_mean_price,
        final_repeat_share,
        final_mean_expectation,
        final_n_firms_alive,
        cumulative_consumer_surplus,
        cumulative_spending,
    )
}
STRATEGY_OUTCOMES: dict[str, Callable] = {
    function.__name__: function
    for function in (
        final_share,
        survival,
        payout_per_firm,
        final_price,
        share_y10,
        shareholder_value_y2,
        shareholder_value_y5,
        shareholder_value_y10,
    )
}


def shareholder_value_per_firm(result, window: int, strategy: str) -> float:
    """Shareholder value per firm of the strategy at the end ($); NaN if absent.

    The summary's long-run shareholder value: cumulative payout less equity raised plus
    market value (cash plus capitalised trailing-year operating profit, never below zero),
    exited firms included with a market value of zero.
    """
    last = _firms_last(result, strategy)
    if not len(last):
        return float("nan")
    return float(_shareholder_values(last).mean())


def final_unit_cost(result, window: int, strategy: str) -> float:
    """Mean unit cost of the strategy's live firms ($ per unit), final-window mean; NaN if none."""
    rows = _firms_window(result, window, strategy)
    rows = rows[rows["alive"]] if len(rows) else rows
    return float(rows["unit_cost"].mean()) if len(rows) else float("nan")


def final_units_share(result, window: int, strategy: str) -> float:
    """Units sold by the strategy's firms over all units sold in the final window (0-1).

    Unlike :func:`final_share` (the mean of weekly shares) a firm that exits during the
    window counts with what it sold before; NaN when nothing was sold or the strategy has
    no firms (like every strategy outcome: an absent side is not a side that sold 0).
    """
    if not len(_firms_of(result, strategy)):
        return float("nan")
    everyone = _memo(
        result, ("firms window all", window), lambda: final_window(result.firms, window)
    )
    total = float(everyone["units"].sum()) if len(everyone) else 0.0
    if total <= 0:
        return float("nan")
    rows = _firms_window(result, window, strategy)
    return float(rows["units"].sum()) / total if len(rows) else 0.0


STRATEGY_OUTCOMES.update(
    {
        function.__name__: function
        for function in (shareholder_value_per_firm, final_unit_cost, final_units_share)
    }
)
ALL = "all"


def is_user_outcome(name: str) -> bool:
    """Whether ``name`` names a user's outcome (``module:function``)."""
    return USER_SEPARATOR in name


def user_outcome(name: str) -> Callable:
    """The function a user's outcome ``module:function`` names, checked.

    Args:
        name: ``module:function`` (``module`` may be dotted).

    Returns:
        The function, callable as ``f(result, window)``.

    Raises:
        ValueError: saying what is wrong: the form, the import, the attribute or the
            signature.
    """
    import inspect

    from sim.strategies.user_code import import_module_from_here

    module_name, _, function_name = name.partition(USER_SEPARATOR)
    if not module_name or not function_name.isidentifier():
        raise ValueError(f"a user outcome is written module:function, got {name!r}")
    try:
        module = import_module_from_here(module_name)
    except ImportError as exc:
        raise ValueError(f"user outcome {name!r}: cannot import {module_name!r}: {exc}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ValueError(
            f"user outcome {name!r}: module {module_name!r} ({getattr(module, '__file__', '?')}) "
            f"has no function {function_name!r}"
        )
    try:
        inspect.signature(function).bind(None, 52)
    except TypeError:
        raise ValueError(
            f"user outcome {name!r} must take two arguments (result, window): the run's "
            "RunResult and the final window in weeks"
        ) from None
    except ValueError:  # no signature to inspect (a builtin): trust it
        pass
    return function


def known_outcome_names() -> list[str]:
    """Names accepted in a sweep's ``outputs.metrics``: market outcomes and strategy families."""
    return [*MARKET_OUTCOMES, *STRATEGY_OUTCOMES]


def expand(selection: Iterable[str] | str, strategies: Iterable[str]) -> list[str]:
    """Column names for a metric selection.

    Args:
        selection: ``"all"`` or names: a market outcome (``final_hhi``), a strategy family
            (``final_share``: one column per strategy) or one column
            (``final_share__customer_obsessed``).
        strategies: strategies present in the sweep.

    Returns:
        Column names, without duplicates, in catalogue order for ``"all"``.

    Raises:
        ValueError: on an unknown name.
    """
    strategies = list(strategies)
    names = known_outcome_names() if selection == ALL else list(selection)
    columns: list[str] = []
    for name in names:
        family, sep, strategy = name.partition(STRATEGY_SEPARATOR)
        if name in MARKET_OUTCOMES or is_user_outcome(name):
            new = [name]
        elif family in STRATEGY_OUTCOMES and not sep:
            new = [f"{family}{STRATEGY_SEPARATOR}{s}" for s in strategies]
        elif family in STRATEGY_OUTCOMES and strategy in strategies:
            new = [name]
        else:
            raise ValueError(f"unknown outcome {name!r}")
        columns.extend(column for column in new if column not in columns)
    return columns


def compute(result, columns: Iterable[str], window: int) -> dict[str, float]:
    """Values of the named outcome columns for one run.

    Args:
        result: the run's :class:`~sim.runs.runner.RunResult`.
        columns: names from :func:`expand`.
        window: the final window in weeks.

    Returns:
        ``{column: value}`` as Python floats (NaN where undefined).
    """
    original, result = result, Prepared(result)
    values = {}
    for column in columns:
        if is_user_outcome(column):
            value = user_outcome(column)(original, window)
        elif column in MARKET_OUTCOMES:
            value = MARKET_OUTCOMES[column](result, window)
        else:
            family, _, strategy = column.partition(STRATEGY_SEPARATOR)
            value = STRATEGY_OUTCOMES[family](result, window, strategy)
        values[column] = float(np.float64(value))
    return values

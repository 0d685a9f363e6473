"""Multi-seed runs: one scenario on N seeds, each run kept, each headline's spread reported.

``flywheel run SCENARIO --seeds N`` draws N seeds from the scenario's seed the way a sweep
draws its replications (:func:`sim.model.seeds.replication_seeds`: a
``SeedSequence`` spawned N times), runs them on local worker processes, writes every
run's folder to ``OUT/seed-K/`` (K = 1..N, the K-th seed of the plan) and reports how
much the headlines move from seed to seed in ``OUT/spread.md`` and ``OUT/spread.csv``
(with every seed's headlines in ``OUT/seeds.csv``).

The headlines are the summary's key numbers: the share of units of each strategy in the
last year, shareholder value per firm of each strategy, consumer surplus per shopping trip
in the last year, the firms alive at the end and concentration (HHI) in the last year.
With entry on, every seed's industry-dynamics statistics (:mod:`sim.outputs.sections.industry`)
join its row, and ``spread.md`` sets their means over the seeds beside the published
figures.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiments import outcomes
from sim.experiments.store import atomic_write_text
from sim.model.seeds import replication_seeds
from sim.scenario import Scenario

WINDOW_WEEKS = 52
INTERVAL = 0.90
SEED_FOLDER = "seed-{k}"
INDUSTRY_PREFIX = "industry__"


@dataclass(frozen=True)
class Headline:
    """One headline number of a run.

    Attributes:
        column: column name in ``seeds.csv`` and ``spread.csv``.
        label: what it is, in words, with its unit.
        value: ``f(result) -> float``.
    """

    column: str
    label: str
    value: Callable[[Any], float]


def _label(strategy: str) -> str:
    return strategy.replace("_", "-")


def headline_catalogue(strategies: list[str]) -> list[Headline]:
    """The headlines of a scenario whose firms follow ``strategies``."""
    window = WINDOW_WEEKS
    items = [
        Headline(
            f"share_last_year__{s}",
            f"{_label(s)} share of units, last year",
            partial(outcomes.final_units_share, window=window, strategy=s),
        )
        for s in strategies
    ]
    items += [
        Headline(
            f"shareholder_value_per_firm__{s}",
            f"{_label(s)} shareholder value per firm at the end ($)",
            partial(outcomes.shareholder_value_per_firm, window=window, strategy=s),
        )
        for s in strategies
    ]
    items += [
        Headline(
            "consumer_surplus_last_year",
            "consumer surplus per shopping trip, last year ($)",
            partial(outcomes.final_consumer_surplus, window=window),
        ),
        Headline(
            "firms_alive_at_end",
            "firms alive at the end",
            partial(outcomes.final_n_firms_alive, window=window),
        ),
        Headline("hhi_last_year", "concentration (HHI, 0-1), last year", _hhi),
    ]
    return items


def _hhi(result) -> float:
    return outcomes.final_hhi(result, WINDOW_WEEKS)


def scenario_strategies(scenario: Scenario) -> list[str]:
    """Strategy names of the scenario's firms and entrant templates, in first-seen order."""
    from sim.experiments.spec.validation import result_strategy_name

    names = [firm.strategy for firm in scenario.firms]
    names += [template.strategy for template in scenario.entry.templates]
    return list(dict.fromkeys(result_strategy_name(name) for name in names))


def headlines(result, strategies: list[str]) -> dict[str, float]:
    """Every headline of one run, by column."""
    prepared = outcomes.Prepared(result)
    return {item.column: float(item.value(prepared)) for item in headline_catalogue(strategies)}


def run_one_seed(
    scenario: dict, seed: int, folder: str, strategies: list[str], csv: bool, figures: bool | str
) -> dict[str, Any]:
    """Run the scenario on one seed, save its folder and return its headlines.

    A module-level function of plain data, so it pickles to worker processes.
    """
    from sim.runs.runner import run

    result = run(scenario, seed=seed)
    result.save(folder, csv=csv, figures=figures)
    row = {"seed": int(seed), "wall_seconds": result.manifest["wall_seconds"]}
    row |= headlines(result, strategies)
    if result.scenario.entry.rate_per_year > 0:
        from sim.outputs.sections.industry import industry_statistics

        stats_ = industry_statistics(result.firms)
        row |= {f"{INDUSTRY_PREFIX}{name}": value for name, value in stats_.items()}
    return row


def industry_lines(per_seed: pd.DataFrame) -> list[str]:
    """``spread.md``'s comparison of the industry with published figures, over the seeds.

    Each statistic is the mean over the seeds where it can be measured; the range over
    the seeds follows it. Empty when the runs have no industry statistics (entry off).
    """
    from sim.outputs.sections.industry import comparison_markdown, comparison_table

    columns = [c for c in per_seed.columns if c.startswith(INDUSTRY_PREFIX)]
    if not columns:
        return []
    values = per_seed[columns].rename(columns=lambda c: c.removeprefix(INDUSTRY_PREFIX))
    table = comparison_table(values.mean(skipna=True).to_dict())
    matched = int((table["matches"] == "yes").sum())
    judged = int((table["matches"] != "n/a").sum())
    lines = [
        "",
        "## Does this industry look like a real one? (means over the seeds)",
        "",
        f"The seeds' mean matches {matched} of the {judged} published figures it can be "
        "judged on (see `docs/INDUSTRY.md`; each seed's own figures close its "
        "`summary.md`).",
        "",
        comparison_markdown(table),
        "",
        "Range over the seeds:",
        "",
    ]
    for name in table["statistic"]:
        column = values[name].dropna()
        span = f"{column.min():.3g} to {column.max():.3g}" if len(column) else "not measurable"
        lines.append(f"- {name}: {span} ({len(column)} of {len(values)} seeds)")
    return lines


def spread(per_seed: pd.DataFrame, columns: list[str], level: float = INTERVAL) -> pd.DataFrame:
    """Each headline's mean and spread across seeds.

    Args:
        per_seed: one row per seed with the headline columns.
        columns: the headline columns.
        level: the interval's coverage (0.9: the 5th and 95th percentiles).

    Returns:
        One row per headline: ``headline, n, mean, sd, min, low, high, max,
        mean_ci_low, mean_ci_high``. ``low``-``high`` holds ``level`` of the seeds'
        outcomes (linear interpolation between order statistics); ``mean_ci_*`` is the
        Student-t confidence interval of the mean at the same level. Seeds where a
        headline is undefined (NaN, e.g. no firm of a strategy left) are left out of it.
    """
    tail = (1 - level) / 2
    rows = []
    for column in columns:
        x = per_seed[column].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        n = len(x)
        row = {"headline": column, "n": n}
        if n == 0:
            rows.append(row | dict.fromkeys(["mean", "sd", "min", "low", "high", "max"], np.nan))
            continue
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        half = float(stats.t.ppf(1 - tail, n - 1)) * sd / np.sqrt(n) if n > 1 else np.nan
        row |= {
            "mean": float(x.mean()),
            "sd": sd,
            "min": float(x.min()),
            "low": float(np.quantile(x, tail)),
            "high": float(np.quantile(x, 1 - tail)),
            "max": float(x.max()),
            "mean_ci_low": float(x.mean() - half),
            "mean_ci_high": float(x.mean() + half),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value: float, column: str) -> str:
    if not np.isfinite(value):
        return "-"
    if column.startswith(("share_", "hhi")):
        return f"{value:.2f}"
    if column.startswith("firms_alive"):
        return f"{value:.1f}"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f}M"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.0f}k"
    return f"${value:,.2f}" if not column.startswith("firms") else f"{value:g}"


def spread_markdown(
    scenario: Scenario,
    table: pd.DataFrame,
    per_seed: pd.DataFrame,
    labels: dict[str, str],
    rerun: str | None = None,
) -> str:
    """``spread.md``: the spread of every headline over the seeds, in plain words.

    ``rerun`` is the command that repeats one seed, up to ``--seed`` (by default
    ``flywheel run NAME --steps STEPS``; the CLI passes the ``--set`` options it was given).
    """
    n = len(per_seed)
    lines = [
        f"# {scenario.name}: how much the seed matters ({n} seeds)",
        "",
        f"The same scenario was run on {n} seeds drawn from its seed {scenario.seed} "
        f"(`SeedSequence({scenario.seed}).spawn({n})`, as a sweep draws its replications)."
        f" Each run's folder is `seed-K/` (K = 1..{n}); `seeds.csv` lists every "
        'seed\'s headlines. "90% of seeds" is the range between the 5th and 95th '
        "percentiles of the seeds' outcomes (with fewer than 20 seeds it is interpolated "
        'between the extremes); "90% CI of the mean" is where the mean over many more '
        "seeds would be expected to lie.",
        "",
        "| headline | mean | 90% of seeds | min | max | 90% CI of the mean | seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        column = row.headline
        interval = f"{_number(row.low, column)} to {_number(row.high, column)}"
        ci = f"{_number(row.mean_ci_low, column)} to {_number(row.mean_ci_high, column)}"
        lines.append(
            f"| {labels[column]} | {_number(row.mean, column)} | {interval} | "
            f"{_number(row.min, column)} | {_number(row.max, column)} | {ci} | {row.n} |"
        )
    shares = table[table["headline"].str.startswith("share_last_year__")]
    if len(shares) > 1 and shares["mean"].notna().all():
        winners = per_seed[shares["headline"].tolist()].idxmax(axis=1).value_counts()
        lines += ["", "Who sold the most units in the last year, seed by seed:", ""]
        for column, count in winners.items():
            lines.append(f"- {labels[column].split(' share')[0]}: {count} of {n} seeds")
    lines += industry_lines(per_seed)
    lines += [
        "",
        "Seeds: "
        + ", ".join(f"{k}: {int(seed)}" for k, seed in enumerate(per_seed["seed"], start=1))
        + f". Rerun one with `{rerun or rerun_command(scenario.name, scenario.steps)} "
        + "--seed <seed>`.",
        "",
    ]
    return "\n".join(lines)


@dataclass
class SeedsReport:
    """What :func:`run_seeds` did.

    Attributes:
        out: the output folder.
        seeds: the seeds run, in plan order.
        per_seed: one row per seed with its headlines.
        spread: one row per headline (see :func:`spread`).
        text: the Markdown of ``spread.md``.
        executor: where the runs executed.
    """

    out: Path
    seeds: list[int]
    per_seed: pd.DataFrame
    spread: pd.DataFrame
    text: str
    executor: str


def run_seeds(
    scenario: Scenario,
    n_seeds: int,
    out: str | os.PathLike,
    *,
    workers: int | None = None,
    executor: str = "local",
    csv: bool = False,
    figures: bool | str = True,
    progress: bool = False,
    rerun: str | None = None,
) -> SeedsReport:
    """Run ``scenario`` on ``n_seeds`` seeds of its seed plan and report the spread.

    Args:
        scenario: the validated scenario (its ``seed`` is the root of the plan).
        n_seeds: number of seeds, >= 1.
        out: folder receiving ``seed-K/``, ``spread.md``, ``spread.csv``, ``seeds.csv``.
        workers: worker processes (the CPUs available by default).
        executor: ``local`` (worker processes) or ``inline`` (this process).
        csv: also write each run's tables as CSV.
        figures: each run's figures: ``all`` (True), ``key`` or ``none`` (False).
        progress: show a progress bar on stderr.
        rerun: the command that repeats one seed, up to ``--seed``, for ``spread.md``.

    Returns:
        A :class:`SeedsReport`.
    """
    import concurrent.futures as cf

    from sim.experiments.executors import default_workers, open_executor

    if n_seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {n_seeds}")
    seeds = replication_seeds(scenario.seed, n_seeds)
    strategies = scenario_strategies(scenario)
    out = Path(out)
    data = scenario.model_dump(mode="json")
    handle = open_executor(executor, min(workers or default_workers(), n_seeds))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_seeds, unit="seed", desc=scenario.name, file=sys.stderr)
    rows: dict[int, dict] = {}
    try:
        futures = {
            handle.executor.submit(
                run_one_seed,
                data,
                seed,
                str(out / SEED_FOLDER.format(k=k)),
                strategies,
                csv,
                figures,
            ): k
            for k, seed in enumerate(seeds, start=1)
        }
        for future in cf.as_completed(futures):
            rows[futures[future]] = future.result()
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        handle.close()
    out.mkdir(parents=True, exist_ok=True)
    per_seed = pd.DataFrame([{"seed_index": k, **rows[k]} for k in sorted(rows)])
    catalogue = headline_catalogue(strategies)
    columns = [item.column for item in catalogue]
    labels = {item.column: item.label for item in catalogue}
    table = spread(per_seed, columns)
    table.insert(1, "label", [labels[c] for c in table["headline"]])
    text = spread_markdown(scenario, table, per_seed, labels, rerun)
    atomic_write_text(out / "seeds.csv", per_seed.to_csv(index=False))
    atomic_write_text(out / "spread.csv", table.to_csv(index=False))
    atomic_write_text(out / "spread.md", text)
    return SeedsReport(out, seeds, per_seed, table, text, handle.description)


def rerun_command(source: str, steps: int, overrides: tuple[str, ...] | list[str] = ()) -> str:
    """The ``flywheel run`` command (without ``--seed``) that repeats one seed's run."""
    import shlex

    words = ["flywheel", "run", str(source), "--steps", str(steps)]
    for override in overrides:
        words += ["--set", override]
    return shlex.join(words)


def command(scenario: Scenario, args, out: Path) -> int:
    """``flywheel run SCENARIO --seeds N``: run, write, print the spread."""
    show_bar = not args.quiet and sys.stderr.isatty()
    rerun = rerun_command(args.scenario, scenario.steps, args.set)
    report = run_seeds(
        scenario,
        args.seeds,
        out,
        workers=args.workers,
        csv=args.csv,
        figures=args.figures,
        progress=show_bar,
        rerun=rerun,
    )
    if not args.quiet:
        print(f"{scenario.name}: {args.seeds} seeds x {scenario.steps} weeks on {report.executor}")
        print(
            f"results in {out}/ (spread.md, spread.csv, seeds.csv, seed-1/ ... seed-{args.seeds}/)"
        )
        print()
        print(report.text)
    return 0

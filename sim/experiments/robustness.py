"""``flywheel robustness``: does the verdict survive halving and doubling each constant?

For a scenario, every implementation constant of every strategy it uses (see
:mod:`sim.experiments.scaled_constants`) is scaled by 0.5 and by 2 in turn; each scaled constant is
one level of a labelled sweep parameter ``variant`` beside ``reference`` (the scenario as written).
The sweep machinery runs every level on the same replication seeds (common random numbers), on any
executor, into a store that the same command resumes.

Two verdicts are checked, grouping firms by strategy as the contest outcomes do: who has
the larger unit share in year 10 (:func:`sim.experiments.outcomes.share_y10`) and who
has the larger shareholder value per firm at year 10
(:func:`sim.experiments.outcomes.shareholder_value_y10`). A run shorter than ten years
takes both at its end instead (the last 52 weeks' share, the last week's value).
Output: ``robustness.csv`` (one row per variant and verdict), ``robustness.md`` (plain
words) and ``robustness.png`` (a tornado of each constant's effect); the runs stay in
``runs/``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.scaled_constants import (
    CONF,
    FACTORS,
    REFERENCE,
    Skipped,
    Variant,
    plan_variants,
    verdicts,
)
from sim.scenario import InputError, Problem, find_scenario, load_scenario, parse_override

YEAR10_WEEKS = 520
WINDOW_WEEKS = 52
OUTCOME_LABELS = {
    "year10_unit_share": "year-10 unit share",
    "year10_shareholder_value": "year-10 shareholder value per firm",
}
FULL_RUN_FAMILIES = {
    "year10_unit_share": "share_y10",
    "year10_shareholder_value": "shareholder_value_y10",
}
SHORT_RUN_FAMILIES = {
    "year10_unit_share": "final_share",
    "year10_shareholder_value": "shareholder_value_per_firm",
}


def outcome_families(weeks: int) -> dict[str, str]:
    """The outcome family behind each verdict for runs of ``weeks`` weeks."""
    return FULL_RUN_FAMILIES if weeks >= YEAR10_WEEKS else SHORT_RUN_FAMILIES


def robustness_sweep(
    scenario_source: str,
    scenario_name: str,
    overrides: list[str],
    variants: list[Variant],
    seeds: int,
    seed: int,
    steps: int | None,
    families: dict[str, str],
) -> dict:
    """The sweep document of the reference and every variant (a mapping for ``load_sweep``).

    Args:
        scenario_source: the scenario name or an absolute path.
        scenario_name: the scenario's name (names the sweep).
        overrides: the ``--set`` overrides (the sweep's ``fixed``).
        variants: the scaled constants, one level each.
        seeds: replications per level.
        seed: root seed of the seed plan.
        steps: weeks per run (the scenario's own if None).
        families: outcome families to measure, one column per strategy.
    """
    levels: dict[str, dict[str, Any]] = {REFERENCE: {}}
    levels |= {variant.label: variant.overrides for variant in variants}
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"robustness-{scenario_name}")[:100]
    document = {
        "name": name,
        "description": f"each implementation constant of {scenario_name} at 0.5x and 2x",
        "scenario": scenario_source,
        "seed": seed,
        "replications": seeds,
        "fixed": dict(parse_override(text) for text in overrides),
        "parameters": {"variant": {"description": "constant scaled", "levels": levels}},
        "outputs": {
            "metrics": list(dict.fromkeys(families.values())),
            "window_weeks": WINDOW_WEEKS,
        },
    }
    if steps is not None:
        document["steps"] = steps
    return document


def _money(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:+,.2f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:+,.0f}k"
    return f"{x:+,.0f}"


def _value(x: float, outcome: str, sign: bool = True) -> str:
    if not np.isfinite(x):
        return "-"
    text = f"{x:+.3f}" if outcome == "year10_unit_share" else _money(x)
    return text if sign else text.lstrip("+")


def _who(strategy: str) -> str:
    return strategy.replace("_", "-")


def _rows(by_strategy: pd.DataFrame, variant: str, outcome: str) -> pd.DataFrame:
    """The per-strategy rows of one variant and outcome."""
    return by_strategy[(by_strategy["variant"] == variant) & (by_strategy["outcome"] == outcome)]


def _means(by_strategy: pd.DataFrame, variant: str, outcome: str) -> str:
    """Each strategy's mean under a variant, as text."""
    return ", ".join(
        f"{_who(row.strategy)} {_value(row.mean, outcome, sign=False)}"
        for row in _rows(by_strategy, variant, outcome).itertuples()
    )


def _reference_lines(by_strategy: pd.DataFrame, outcome: str) -> list[str]:
    first = _rows(by_strategy, REFERENCE, outcome).iloc[0]
    means = _means(by_strategy, REFERENCE, outcome)
    label = OUTCOME_LABELS[outcome]
    if first["winner"] == "tie":
        return [f"- **{label}: a tie** ({means})."]
    return [
        f"- **{label}: {_who(first['winner'])} wins** ({means}); it leads by "
        f"{_value(first['lead'], outcome, sign=False)} on average and in "
        f"{first['seeds_led']} of {first['n_seeds']} seeds."
    ]


def robustness_markdown(
    scenario_name: str,
    table: pd.DataFrame,
    by_strategy: pd.DataFrame,
    skipped: list[Skipped],
    mindset: dict[str, list[str]],
    seeds: int,
    weeks: int,
) -> str:
    """``robustness.md``: which implementation constants flip the verdict, in plain words.

    Args:
        scenario_name: the scenario's name.
        table: the variants' verdicts (:func:`sim.experiments.scaled_constants.verdicts`).
        by_strategy: each strategy's mean and the verdict, per variant and outcome.
        skipped: constants and factors that gave no variant.
        mindset: each strategy's mindset parameters (left alone).
        seeds: seeds per variant.
        weeks: weeks per run.
    """
    lines = [
        f"# {scenario_name}: is the verdict robust?",
        "",
        "Every implementation constant of every strategy in the scenario (a numeric "
        "parameter that does not define the strategy's mindset) was halved and doubled in "
        f"turn, and the scenario rerun on the same {seeds} seeds as the unscaled reference. "
        "A constant that changes who wins is a finding: the verdict then rests on a number "
        "a strategy was written with, not on the mindsets.",
        "",
    ]
    if weeks < YEAR10_WEEKS:
        lines += [
            f"**The runs last {weeks} weeks, less than ten years**: the year-10 unit share is "
            f"taken over the last {min(weeks, WINDOW_WEEKS)} weeks of the run and the "
            "shareholder value at its end.",
            "",
        ]
    lines += ["## The reference verdict", ""]
    for outcome in OUTCOME_LABELS:
        lines += _reference_lines(by_strategy, outcome)
    lines += ["", "## Constants that flip the verdict", ""]
    flips = table[table["flips"]]
    if flips.empty:
        lines.append("None: no implementation constant, halved or doubled, changes who wins.")
    for row in flips.itertuples():
        goes = "ends in **a tie**" if row.winner == "tie" else f"goes to **{_who(row.winner)}**"
        parts = [] if row.winner == "tie" else ["clearly" if row.clear else "not clearly"]
        if row.reference_winner == "tie":
            parts.append("the reference was a tie")
        else:
            parts.append(
                f"{_who(row.reference_winner)} leads in {row.seeds_led} of {row.n_seeds} seeds"
            )
        lines.append(
            f"- {_who(row.strategy)} `{row.parameter}` x{row.factor:g} (= {row.value}): "
            f"{OUTCOME_LABELS[row.outcome]} {goes}: {_means(by_strategy, row.variant, row.outcome)}"
            f" ({'; '.join(parts)})."
        )
    close = table[~table["flips"] & (table["low"] <= 0) & (table["high"] >= 0)]
    close = close[close["reference_winner"] != "tie"]
    if not close.empty:
        lines += ["", "Close calls: the winner stays, but the interval of its lead reaches 0:", ""]
        for row in close.itertuples():
            lines.append(
                f"- {_who(row.strategy)} `{row.parameter}` x{row.factor:g} (= {row.value}): "
                f"{OUTCOME_LABELS[row.outcome]}, {_who(row.reference_winner)} leads by "
                f"{_value(row.mean, row.outcome)} ({_value(row.low, row.outcome)} to "
                f"{_value(row.high, row.outcome)}; reference {_value(row.reference, row.outcome)})."
            )
    lines += [
        "",
        "## Every variant",
        "",
        "**Lead**: the reference winner's value less the best other strategy's (below 0: "
        f"it lost), mean over the seeds, with its {CONF:.0%} interval. **Change**: the "
        "variant's lead minus the reference's on the same seed, mean over the seeds, with "
        f"its {CONF:.0%} paired interval. A flip is clear when the interval of the lead "
        "excludes 0.",
        "",
    ]
    for outcome, label in OUTCOME_LABELS.items():
        part = table[table["outcome"] == outcome]
        ref = _rows(by_strategy, REFERENCE, outcome).iloc[0]
        lines += [
            f"### {label} (reference lead {_value(ref['lead'], outcome)})",
            "",
            "| strategy | constant | factor | value | lead | 95% CI | change | paired 95% CI "
            "| winner | flips |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in part.itertuples():
            flip = "**yes**" if row.flips else "no"
            ci = f"{_value(row.low, outcome)} to {_value(row.high, outcome)}"
            paired = f"{_value(row.change_low, outcome)} to {_value(row.change_high, outcome)}"
            lines.append(
                f"| {_who(row.strategy)} | `{row.parameter}` | {row.factor:g} | {row.value} | "
                f"{_value(row.mean, outcome)} | {ci} | {_value(row.change, outcome)} | {paired} "
                f"| {_who(row.winner)} | {flip} |"
            )
        lines.append("")
    lines += ["## Left alone", ""]
    for strategy, names in mindset.items():
        shown = ", ".join(f"`{name}`" for name in names) or "none declared"
        lines.append(f"- {_who(strategy)}: mindset parameters {shown}.")
    notes = [f"{_who(v.strategy)} `{v.parameter}` x{v.factor:g}: {v.note}" for v in skipped]
    if notes:
        lines += ["", "Not run (the scaled value would be the same or is not allowed):", ""]
        lines += [f"- {note}." for note in notes]
    clipped = table.drop_duplicates(["strategy", "parameter", "factor"])
    clipped = clipped[clipped["note"] != ""]
    if not clipped.empty:
        lines += ["", "Run with a note:", ""]
        lines += [
            f"- {_who(r.strategy)} `{r.parameter}` x{r.factor:g}: {r.note}."
            for r in clipped.itertuples()
        ]
    lines += [
        "",
        "Files: `robustness.csv` (every variant and verdict), `robustness.png` (the change "
        "in lead of each constant), `runs/` (the sweep store: `flywheel results runs/`).",
        "",
    ]
    return "\n".join(lines)


def tornado_plot(table: pd.DataFrame, by_strategy: pd.DataFrame, path: Path) -> None:
    """Draw a tornado per verdict: each constant's change in lead at 0.5x and 2x.

    Constants are sorted by their largest change; bars show the paired mean change with
    its interval; the dashed line is where the lead reaches 0 (a bar past it flips the
    verdict; flipped bars are hatched).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from sim.experiments.plots import colour

    outcomes = [o for o in OUTCOME_LABELS if o in set(table["outcome"])]
    table = table.assign(constant=table["strategy"].map(_who) + " " + table["parameter"])
    # a constant's size: the largest share of the way to a flip it goes, in either verdict
    reach = table["change"].abs() / table["reference"].abs().where(table["reference"] != 0)
    size = table.assign(size=reach.fillna(table["change"].abs()))
    order = size.groupby("constant", sort=False)["size"].max().fillna(0).sort_values(kind="stable")
    constants = list(order.index)
    height = max(2.4, 0.42 * len(constants) + 1.4)
    fig, axes = plt.subplots(
        1, len(outcomes), figsize=(6.4 * len(outcomes), height), squeeze=False, layout="constrained"
    )
    y = np.arange(len(constants))
    for ax, outcome in zip(axes.ravel(), outcomes, strict=True):
        part = table[table["outcome"] == outcome]
        ref = _rows(by_strategy, REFERENCE, outcome).iloc[0]
        for k, factor in enumerate(FACTORS):
            rows = part[part["factor"] == factor].set_index("constant").reindex(constants)
            offset = 0.2 if k == 0 else -0.2
            mean = rows["change"].fillna(0).to_numpy()
            errors = np.abs(np.vstack([mean - rows["change_low"], rows["change_high"] - mean]))
            hatches = ["///" if flip is True else "" for flip in rows["flips"]]
            bars = ax.barh(
                y + offset,
                mean,
                height=0.38,
                color=colour(0 if k == 0 else 2),
                xerr=np.nan_to_num(errors),
                error_kw={"linewidth": 0.8},
                label=("halved" if factor < 1 else "doubled") + f" (x{factor:g})",
            )
            for bar, hatch in zip(bars, hatches, strict=True):
                bar.set_hatch(hatch)
        if np.isfinite(ref["lead"]):
            ax.axvline(-ref["lead"], color="black", linestyle="--", linewidth=0.9)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, constants, fontsize=8)
        who = "a tie" if ref["winner"] == "tie" else f"{_who(str(ref['winner']))} wins"
        ax.set_title(
            f"{OUTCOME_LABELS[outcome]}\nreference: {who}, lead "
            f"{_value(ref['lead'], outcome, sign=False)}",
            fontsize=9,
        )
        ax.set_xlabel("change in lead, variant minus reference (dashed: verdict flips)", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.legend(fontsize=8, loc="lower right")
        if outcome == "year10_shareholder_value":
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1e3:,.0f}k"))
    fig.suptitle(
        f"Each implementation constant halved and doubled: {CONF:.0%} paired intervals; "
        "hatched = the winner changes",
        fontsize=9,
    )
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def _problem(option: str, value: Any, rule: str) -> InputError:
    return InputError([Problem(option, option.lstrip("-"), value, rule)])


def run_robustness(
    scenario: str,
    *,
    overrides: list[str] | None = None,
    seeds: int = 5,
    out: str | Path | None = None,
    only: list[str] | None = None,
    seed: int | None = None,
    steps: int | None = None,
    executor: str = "local",
    workers: int | None = None,
    progress: bool = False,
) -> tuple[pd.DataFrame, str, Path]:
    """Run the reference and every variant and write the robustness table and figure.

    Args:
        scenario: a scenario name or YAML path.
        overrides: ``--set`` overrides of the scenario.
        seeds: common seeds per variant (>= 2 for an interval).
        out: output folder (``runs/<scenario>-robustness`` by default).
        only: restrict to these constants (``parameter`` or ``strategy.parameter``).
        seed: root seed of the seed plan (the scenario's seed by default).
        steps: weeks per run (the scenario's by default).
        executor: ``local``, ``inline`` or ``dask`` (see :mod:`sim.experiments.executors`).
        workers: worker processes.
        progress: show a progress bar.

    Returns:
        ``(verdicts table, Markdown text, output folder)``.

    Raises:
        InputError: on a bad scenario, seed count or constant name, or a scenario with
            fewer than two strategies or no constant to scale; nothing is written.
    """
    from sim.experiments.runner import run_sweep
    from sim.experiments.spec import load_sweep
    from sim.experiments.store import atomic_write_text, load_results

    overrides = list(overrides or [])
    if seeds < 2:
        raise _problem("--seeds", seeds, "needs at least 2 seeds for a confidence interval")
    resolved = load_scenario(scenario, overrides)
    try:
        variants, skipped, mindset = plan_variants(resolved, FACTORS, only)
    except ValueError as exc:
        raise _problem("--only", ",".join(only or []), str(exc)) from None
    if not variants:
        rule = "no implementation constant of its strategies can be scaled"
        raise InputError([Problem(str(scenario), "", resolved.name, rule)])
    weeks = steps if steps is not None else resolved.steps
    families = outcome_families(weeks)
    document = robustness_sweep(
        str(find_scenario(scenario).resolve()),
        resolved.name,
        overrides,
        variants,
        seeds,
        resolved.seed if seed is None else seed,
        steps,
        families,
    )
    sweep = load_sweep(document)
    if len(sweep.strategies) < 2:
        rule = f"needs firms of at least two strategies to have a winner, has {sweep.strategies}"
        raise InputError([Problem(str(scenario), "firms", resolved.name, rule)])
    out = Path(out) if out is not None else Path("runs") / f"{resolved.name}-robustness"
    run_sweep(sweep, out=out / "runs", executor=executor, workers=workers, progress=progress)
    runs = load_results(out / "runs")
    table, by_strategy = verdicts(runs, variants, list(sweep.strategies), families)
    text = robustness_markdown(resolved.name, table, by_strategy, skipped, mindset, seeds, weeks)
    atomic_write_text(out / "robustness.csv", table.to_csv(index=False))
    atomic_write_text(out / "robustness.md", text)
    tornado_plot(table, by_strategy, out / "robustness.png")
    return table, text, out


def cmd_robustness(args: argparse.Namespace) -> int:
    """``flywheel robustness``: run the variants and print the robustness report."""
    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    _, text, out = run_robustness(
        args.scenario,
        overrides=args.set,
        seeds=args.seeds,
        out=args.out,
        only=only,
        seed=args.seed,
        steps=args.steps,
        executor=args.executor,
        workers=args.workers,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    if not args.quiet:
        print(f"results in {out}/ (robustness.md, robustness.csv, robustness.png, runs/)")
        print()
        print(text)
    return 0

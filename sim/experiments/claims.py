"""``flywheel claims``: which mechanic produces the verdict, measured on paired runs.

For a scenario, every mechanic of :data:`sim.experiments.named_mechanics.CLAIMS` that it uses
becomes one level of a labelled sweep parameter ``mechanic``: ``all_on`` (the scenario as written)
and ``<name>_off`` (the scenario with that mechanic switched off). The sweep machinery runs every
level on the same replication seeds (common random numbers), so the run with and the run without a
mechanic face the same consumers and the same draws as far as the model lets them; their paired
difference isolates the mechanic's effect.

The effect of a mechanic on an outcome is ``mean(on - off)`` over the replications, with
a paired Student-t confidence interval (:func:`sim.experiments.analysis.paired_ci`) and
the Welch interval that ignores the pairing beside it. Output: ``claims.csv`` (one row
per mechanic and outcome), ``claims.md`` (plain words) and ``claims.png`` (a forest plot
per headline); the runs stay in ``runs/``, a sweep store that the same command resumes.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.named_mechanics import CLAIMS, Claim, used_claims
from sim.scenario import InputError, Problem, find_scenario, load_scenario, parse_override

REFERENCE = "all_on"
CONF = 0.95
WINDOW_WEEKS = 52
MARKET_HEADLINES = ("final_consumer_surplus", "final_n_firms_alive", "final_hhi")
STRATEGY_HEADLINES = ("final_units_share", "shareholder_value_per_firm", "final_unit_cost")
HEADLINE_LABELS = {
    "final_units_share": "share of units, last year (0-1)",
    "shareholder_value_per_firm": "shareholder value per firm at the end ($)",
    "final_unit_cost": "unit cost, last year ($/unit)",
    "final_consumer_surplus": "consumer surplus per shopping trip, last year ($)",
    "final_n_firms_alive": "firms alive at the end",
    "final_hhi": "concentration (HHI, 0-1), last year",
}


def off_label(claim: Claim) -> str:
    """The design level of a claim switched off."""
    return f"{claim.name}_off"


def headline_label(column: str) -> str:
    """A readable label of an outcome column (``family__strategy``)."""
    family, sep, strategy = column.partition("__")
    text = HEADLINE_LABELS.get(family, family.replace("_", " "))
    return f"{strategy.replace('_', '-')} {text}" if sep else text


def claims_sweep(
    scenario_source: str,
    overrides: list[str],
    claims: list[Claim],
    reps: int,
    seed: int,
    steps: int | None,
) -> dict:
    """The sweep document of the paired runs (a mapping for :func:`load_sweep`).

    Args:
        scenario_source: the scenario name or an absolute path.
        overrides: the ``--set`` overrides of the scenario (become the sweep's ``fixed``).
        claims: the mechanics to switch off, one level each.
        reps: replications (pairs) per level.
        seed: root seed of the seed plan.
        steps: weeks per run (the scenario's own if None).
    """
    fixed = dict(parse_override(text) for text in overrides)
    levels: dict[str, dict[str, Any]] = {REFERENCE: {}}
    scenario = load_scenario(scenario_source, overrides)
    for claim in claims:
        levels[off_label(claim)] = claim.switch_off(scenario)
    metrics = [*MARKET_HEADLINES, *STRATEGY_HEADLINES]  # families: one column per strategy
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"claims-{scenario.name}")[:100]
    document = {
        "name": name,
        "description": f"each mechanic of {scenario.name} switched off, paired on seeds",
        "scenario": scenario_source,
        "seed": seed,
        "replications": reps,
        "fixed": fixed,
        "parameters": {"mechanic": {"description": "mechanic switched off", "levels": levels}},
        "outputs": {"metrics": metrics, "window_weeks": WINDOW_WEEKS},
    }
    if steps is not None:
        document["steps"] = steps
    return document


def effects(runs: pd.DataFrame, claims: list[Claim], outcomes: list[str]) -> pd.DataFrame:
    """Effect of each mechanic (on minus off) on each outcome, paired on replications.

    Args:
        runs: the runs table of the claims sweep (``mechanic``, ``replication``, ``seed``,
            outcome columns).
        claims: the mechanics that were switched off.
        outcomes: outcome columns.

    Returns:
        One row per mechanic and outcome: ``mechanic, title, outcome, label, n_pairs,
        mean_on, mean_off, effect, ci_low, ci_high, p_value, unpaired_ci_low,
        unpaired_ci_high, clear`` (``clear``: the interval excludes 0).
    """
    from sim.experiments.analysis import paired_ci

    on = runs[runs["mechanic"] == REFERENCE].set_index("replication")
    rows = []
    for claim in claims:
        off = runs[runs["mechanic"] == off_label(claim)].set_index("replication")
        common = on.index.intersection(off.index)
        if not (on.loc[common, "seed"] == off.loc[common, "seed"]).all():
            raise ValueError("paired runs do not share seeds; results are not paired")
        for outcome in outcomes:
            result = paired_ci(on.loc[common, outcome], off.loc[common, outcome], CONF)
            clear = bool(
                np.isfinite(result["ci_low"]) and (result["ci_low"] > 0 or result["ci_high"] < 0)
            )
            rows.append(
                {
                    "mechanic": claim.name,
                    "title": claim.title,
                    "outcome": outcome,
                    "label": headline_label(outcome),
                    "n_pairs": result["n_pairs"],
                    "mean_on": result["mean_a"],
                    "mean_off": result["mean_b"],
                    "effect": result["mean_diff"],
                    "ci_low": result["ci_low"],
                    "ci_high": result["ci_high"],
                    "p_value": result["p_value"],
                    "unpaired_ci_low": result["unpaired_ci_low"],
                    "unpaired_ci_high": result["unpaired_ci_high"],
                    "clear": clear,
                }
            )
    return pd.DataFrame(rows)


def _value(x: float, outcome: str) -> str:
    if not np.isfinite(x):
        return "-"
    family = outcome.partition("__")[0]
    if family in ("final_units_share", "final_hhi"):
        return f"{x:+.3f}"
    if family == "final_n_firms_alive":
        return f"{x:+.2f}"
    if abs(x) >= 1e4:
        return f"{x / 1e3:+,.0f}k"
    if abs(x) >= 1e3:
        return f"{x:+,.0f}"
    return f"{x:+,.2f}"


def claims_markdown(
    scenario_name: str,
    table: pd.DataFrame,
    claims: list[Claim],
    skipped: list[Claim],
    reps: int,
    switches: dict[str, dict[str, Any]],
) -> str:
    """``claims.md``: the effect of each mechanic on the headlines, in plain words.

    Args:
        scenario_name: the scenario's name.
        table: output of :func:`effects`.
        claims: the mechanics tested.
        skipped: mechanics the scenario does not use.
        reps: pairs per mechanic.
        switches: the overrides that switched each mechanic off, by level name.
    """
    lines = [
        f"# {scenario_name}: which mechanic produces the verdict?",
        "",
        f"Each mechanic the scenario uses was switched off in turn and the scenario rerun on "
        f"the same {reps} seeds. **Effect = outcome with the mechanic minus outcome "
        f"without it**, averaged over the seeds, with its {CONF:.0%} confidence interval "
        "from the paired differences. An interval that excludes 0 (**bold**) means the "
        "mechanic clearly moves that outcome in this scenario.",
        "",
    ]
    for claim in claims:
        rows = table[table["mechanic"] == claim.name]
        switched = " ".join(f"`{k}={v}`" for k, v in switches[off_label(claim)].items())
        lines += [
            f"## {claim.title} (`{claim.name}`)",
            "",
            f"_{claim.claim}._ Switched off by {switched}.",
            "",
        ]
        lines += ["| outcome | with | without | effect | 95% CI |", "|---|---|---|---|---|"]
        for row in rows.itertuples():
            with_, without = _value(row.mean_on, row.outcome), _value(row.mean_off, row.outcome)
            effect = _value(row.effect, row.outcome)
            ci = f"{_value(row.ci_low, row.outcome)} to {_value(row.ci_high, row.outcome)}"
            if row.clear:
                effect, ci = f"**{effect}**", f"**{ci}**"
            lines.append(
                f"| {row.label} | {with_.lstrip('+')} | {without.lstrip('+')} | {effect} | {ci} |"
            )
        lines.append("")
    share_rows = table[table["outcome"].str.startswith("final_units_share__")]
    if share_rows["outcome"].nunique() > 1:
        lines += [
            "## Which assumptions decide who wins the customers",
            "",
            "Mechanics that clearly move each mindset's share of units, largest effect "
            "first (a positive effect: the share is higher with the mechanic than without):",
            "",
        ]
        for outcome, group in share_rows.groupby("outcome", sort=False):
            clear = group[group["clear"]].sort_values("effect", key=np.abs, ascending=False)
            who = headline_label(outcome).split(" share")[0]
            if clear.empty:
                lines.append(f"- {who}: no single mechanic clearly moves its share.")
                continue
            parts = [f"{row.title} {row.effect:+.3f}" for row in clear.itertuples()]
            lines.append(f"- {who}: " + "; ".join(parts) + ".")
        lines.append("")
    if skipped:
        names = ", ".join(claim.title for claim in skipped)
        lines += [f"Not used by this scenario, so not tested: {names}.", ""]
    lines += [
        "Files: `claims.csv` (every mechanic and outcome, with the unpaired interval and "
        "p-value), `claims.png` (forest plots), `runs/` (the sweep store: `flywheel results "
        "runs/`).",
        "",
    ]
    return "\n".join(lines)


def forest_plot(table: pd.DataFrame, path: Path | None = None):
    """Draw one forest panel per outcome (mechanics down, effect across).

    Outcomes that no mechanic moved at all (every effect and interval exactly 0, such as
    the share of the only strategy in the market) get no panel.

    Args:
        table: the claims table (``claims.csv``).
        path: PNG file to write, if any.

    Returns:
        The figure (detached from pyplot, so a notebook shows it once, as a cell value).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from sim.experiments.plots import GREY, colour

    bounds = table[["effect", "ci_low", "ci_high"]].abs().fillna(0).max(axis=1)
    moving = table[bounds > 0]
    outcomes = list(dict.fromkeys(moving["outcome"])) or list(dict.fromkeys(table["outcome"]))
    columns = 2 if len(outcomes) > 1 else 1
    rows = -(-len(outcomes) // columns)
    mechanics = list(dict.fromkeys(table["title"]))
    height = max(2.2, 0.32 * len(mechanics) + 1.2)
    fig, axes = plt.subplots(
        rows, columns, figsize=(6.2 * columns, height * rows), squeeze=False, layout="constrained"
    )
    y = np.arange(len(mechanics))[::-1]
    for ax, outcome in zip(axes.ravel(), outcomes, strict=False):
        part = table[table["outcome"] == outcome].set_index("title").reindex(mechanics)
        clear = part["clear"].fillna(False).astype(bool).to_numpy()
        ax.hlines(
            y - 0.2, part["unpaired_ci_low"], part["unpaired_ci_high"], color=GREY, linewidth=1
        )
        for mask, shade in ((clear, colour(0)), (~clear, GREY)):
            ax.hlines(y[mask], part["ci_low"][mask], part["ci_high"][mask], color=shade, lw=3)
            ax.plot(part["effect"][mask], y[mask], "o", color=colour(3) if shade != GREY else GREY)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, mechanics, fontsize=8)
        ax.set_title(headline_label(outcome), fontsize=9)
        ax.set_xlabel("effect of the mechanic (with minus without)", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        if part[["ci_low", "ci_high", "effect"]].abs().max().max() >= 1e4:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1e3:,.0f}k"))
    for ax in axes.ravel()[len(outcomes) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Effect of each mechanic, {CONF:.0%} paired CI (thick; blue = excludes 0), "
        "unpaired CI (thin grey)",
        fontsize=9,
    )
    if path is not None:
        fig.savefig(path, dpi=120)
    plt.close(fig)
    return fig


def run_claims(
    scenario: str,
    *,
    overrides: list[str] | None = None,
    reps: int = 10,
    out: str | Path | None = None,
    only: list[str] | None = None,
    seed: int | None = None,
    steps: int | None = None,
    executor: str = "local",
    workers: int | None = None,
    progress: bool = False,
) -> tuple[pd.DataFrame, str, Path]:
    """Run the paired runs of every used mechanic and write the claims table and figure.

    Args:
        scenario: a scenario name or YAML path.
        overrides: ``--set`` overrides of the scenario.
        reps: pairs per mechanic (replications), >= 2 for an interval.
        out: output folder (``results/claims/<scenario>`` by default).
        only: restrict to these mechanics.
        seed: root seed of the seed plan (the scenario's seed by default).
        steps: weeks per run (the scenario's by default).
        executor: ``local``, ``inline`` or ``dask`` (see :mod:`sim.experiments.executors`).
        workers: worker processes.
        progress: show a progress bar.

    Returns:
        ``(effects table, Markdown text, output folder)``.

    Raises:
        InputError: on a bad scenario, mechanic name or replication count; nothing is
            written.
    """
    from sim.experiments.runner import run_sweep
    from sim.experiments.spec import load_sweep
    from sim.experiments.store import atomic_write_text, load_results

    overrides = list(overrides or [])
    if reps < 2:
        rule = "needs at least 2 replications for a confidence interval"
        raise InputError([Problem("--reps", "reps", reps, rule)])
    resolved = load_scenario(scenario, overrides)
    try:
        claims = used_claims(resolved, only)
    except ValueError as exc:
        raise InputError([Problem("--only", "only", ",".join(only or []), str(exc))]) from None
    skipped = [c for c in CLAIMS.values() if c not in claims and (not only or c.name in only)]
    if not claims:
        rule = "the scenario uses none of the mechanics " + ", ".join(only or CLAIMS)
        raise InputError([Problem(str(scenario), "", resolved.name, rule)])
    source = str(find_scenario(scenario).resolve())
    document = claims_sweep(
        source,
        overrides,
        claims,
        reps,
        resolved.seed if seed is None else seed,
        steps,
    )
    sweep = load_sweep(document)
    out = Path(out) if out is not None else Path("results") / "claims" / resolved.name
    run_sweep(
        sweep,
        out=out / "runs",
        executor=executor,
        workers=workers,
        progress=progress,
    )
    runs = load_results(out / "runs")
    table = effects(runs, claims, list(sweep.metric_columns))
    switches = document["parameters"]["mechanic"]["levels"]
    text = claims_markdown(resolved.name, table, claims, skipped, reps, switches)
    atomic_write_text(out / "claims.csv", table.to_csv(index=False))
    atomic_write_text(out / "claims.md", text)
    forest_plot(table, out / "claims.png")
    return table, text, out


def cmd_claims(args: argparse.Namespace) -> int:
    """``flywheel claims``: run the paired runs and print the claims table."""
    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    _, text, out = run_claims(
        args.scenario,
        overrides=args.set,
        reps=args.reps,
        out=args.out,
        only=only,
        seed=args.seed,
        steps=args.steps,
        executor=args.executor,
        workers=args.workers,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    if not args.quiet:
        print(f"results in {out}/ (claims.md, claims.csv, claims.png, runs/)")
        print()
        print(text)
    return 0

"""The leaderboard: entrants ranked with paired confidence intervals, tables and figures.

An entrant's score in a block (one scenario, one replication seed) is the mean of its
scored games in that block. Every entrant plays every block on the same seed, so two
entrants are compared block by block (paired), which removes the luck they share. An
entrant's disqualified games have no score; a block where it was disqualified in every
game drops out of its pairs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.experiments.analysis import paired_ci, t_interval
from sim.experiments.plots import OKABE_ITO

BLOCK = ["scenario_index", "replication"]


def entrant_colours(entrants) -> dict[str, str]:
    """One Okabe-Ito colour per entrant, by name order (the same in every figure)."""
    names = sorted(set(entrants))
    return {name: OKABE_ITO[k % len(OKABE_ITO)] for k, name in enumerate(names)}


def ranked_rows(games: pd.DataFrame) -> pd.DataFrame:
    """The rows that count for the ranking (the scored seats of each game)."""
    return games[games["scored"]] if "scored" in games.columns else games


def block_scores(games: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each entrant's mean score per block (scored seats only): rows blocks, columns entrants."""
    games = ranked_rows(games)
    table = games.pivot_table(
        index=BLOCK, columns="entrant", values=column, aggfunc="mean", dropna=False
    )
    return table.sort_index()


def leaderboard(games: pd.DataFrame, scores: list[str], conf: float = 0.95) -> pd.DataFrame:
    """Entrants ranked by the first score's mean, with intervals and paired differences.

    Args:
        games: one row per seat per game (``runner.load_games``); only scored seats
            count for the scores, but disqualifications count wherever they happened.
        scores: score columns; the first ranks.
        conf: confidence level.

    Returns:
        One row per entrant: rank, entrant, games (scored), disqualified (games in
        which it was disqualified, scored or in the field), the ranking score's
        mean and interval, the paired difference from the leader with its interval and
        p-value, the mean of every other score, and the disqualification reasons.
    """
    primary = scores[0]
    blocks = block_scores(games, primary)
    rows = []
    for entrant, every in games.groupby("entrant", sort=True):
        frame = ranked_rows(every)
        mean, low, high, _, n = t_interval(blocks[entrant], conf)
        reasons = Counter(every.loc[every["disqualified"], "reason"])
        row = {
            "entrant": entrant,
            "games": len(frame),
            "disqualified": int(every["disqualified"].sum()),
            "blocks": n,
            primary: mean,
            "ci_low": low,
            "ci_high": high,
        }
        for column in scores[1:]:
            row[column] = float(frame[column].mean())
        row["reasons"] = "; ".join(f"{reason} (x{count})" for reason, count in reasons.items())
        rows.append(row)
    table = pd.DataFrame(rows)
    order = table[primary].fillna(-np.inf).rank(ascending=False, method="first")
    table.insert(0, "rank", order.astype(int))
    table = table.sort_values("rank").reset_index(drop=True)
    leader = table.loc[0, "entrant"]
    paired = [
        paired_ci(blocks[entrant], blocks[leader], conf) if entrant != leader else None
        for entrant in table["entrant"]
    ]
    table.insert(7, "diff_vs_leader", [p["mean_diff"] if p else 0.0 for p in paired])
    table.insert(8, "diff_ci_low", [p["ci_low"] if p else np.nan for p in paired])
    table.insert(9, "diff_ci_high", [p["ci_high"] if p else np.nan for p in paired])
    table.insert(10, "p_value", [p["p_value"] if p else np.nan for p in paired])
    return table


def pairwise(games: pd.DataFrame, column: str, conf: float = 0.95) -> pd.DataFrame:
    """Paired difference ``a - b`` of one score for every ordered pair of entrants."""
    blocks = block_scores(games, column)
    rows = []
    for a in blocks.columns:
        for b in blocks.columns:
            if a != b:
                rows.append({"a": a, "b": b, **paired_ci(blocks[a], blocks[b], conf)})
    return pd.DataFrame(rows)


def _number(value: float) -> str:
    if pd.isna(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def leaderboard_markdown(table: pd.DataFrame, scores: list[str], title: str, conf: float) -> str:
    """The leaderboard as Markdown."""
    primary = scores[0]
    header = [
        "rank", "entrant", "games", "disq.", primary, f"{conf:.0%} CI", "vs leader",
        "paired CI", "p", *scores[1:],
    ]  # fmt: skip
    align = ["---:", "---", "---:", "---:", "---:", "---", "---:", "---", "---:"]
    align += ["---:"] * len(scores[1:])
    lines = [
        f"# Leaderboard: {title}",
        "",
        f"Ranked by mean `{primary}` per block (a scenario on one replication seed), with a "
        f"{conf:.0%} Student-t interval. 'vs leader' is the paired difference from the "
        "leader over the blocks both played (common random numbers), with its interval "
        "and p-value; an interval that excludes 0 separates the two.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(align) + "|",
    ]
    for _, row in table.iterrows():
        cells = [
            str(row["rank"]),
            row["entrant"],
            str(row["games"]),
            str(row["disqualified"]),
            _number(row[primary]),
            f"[{_number(row['ci_low'])}, {_number(row['ci_high'])}]",
            _number(row["diff_vs_leader"]),
            ""
            if pd.isna(row["diff_ci_low"])
            else f"[{_number(row['diff_ci_low'])}, {_number(row['diff_ci_high'])}]",
            "" if pd.isna(row["p_value"]) else f"{row['p_value']:.3f}",
            *[_number(row[c]) for c in scores[1:]],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    disqualified = table[table["disqualified"] > 0]
    if len(disqualified):
        lines += ["", "## Disqualifications", ""]
        for _, row in disqualified.iterrows():
            lines.append(f"- **{row['entrant']}**: {row['reasons']}")
    lines += ["", "![leaderboard](figures/leaderboard.png)", ""]
    return "\n".join(lines)


def plot_leaderboard(table: pd.DataFrame, primary: str, axes=None):
    """Two panels: each entrant's mean with its interval; paired difference from the leader.

    Args:
        table: the leaderboard.
        primary: the ranking score.
        axes: two Axes (a new figure if None).

    Returns:
        The two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 0.6 * len(table) + 1.8), sharey=True)
    left, right = axes
    y = np.arange(len(table))[::-1]
    palette = entrant_colours(table["entrant"])
    colours = [palette[name] for name in table["entrant"]]
    for k, (_, row) in enumerate(table.iterrows()):
        left.errorbar(
            row[primary],
            y[k],
            xerr=[[row[primary] - row["ci_low"]], [row["ci_high"] - row[primary]]],
            fmt="o",
            color=colours[k],
            capsize=4,
        )
        if k > 0 and not pd.isna(row["diff_ci_low"]):
            right.errorbar(
                row["diff_vs_leader"],
                y[k],
                xerr=[
                    [row["diff_vs_leader"] - row["diff_ci_low"]],
                    [row["diff_ci_high"] - row["diff_vs_leader"]],
                ],
                fmt="o",
                color=colours[k],
                capsize=4,
            )
    labels = [
        f"{row['entrant']}" + (f" ({row['disqualified']} disq.)" if row["disqualified"] else "")
        for _, row in table.iterrows()
    ]
    left.set_yticks(y, labels)
    left.set_xlabel(f"{primary}: mean per block, 95% CI")
    right.axvline(0, color="#7F7F7F", lw=1)
    right.set_xlabel(f"paired difference from {table.loc[0, 'entrant']}, 95% CI")
    for ax in axes:
        ax.grid(axis="x", alpha=0.3)
    left.figure.tight_layout()
    return axes


def plot_by_scenario(games: pd.DataFrame, primary: str, ax=None):
    """Mean ranking score of each entrant in each scenario (dots), 95% CI bars."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    games = ranked_rows(games)
    entrants = sorted(games["entrant"].unique())
    scenarios = list(dict.fromkeys(games.sort_values("scenario_index")["scenario"]))
    blocks = block_scores(games, primary)
    width = 0.8 / max(1, len(entrants))
    palette = entrant_colours(entrants)
    for k, entrant in enumerate(entrants):
        for s, _ in enumerate(scenarios):
            values = blocks.xs(s, level="scenario_index")[entrant]
            mean, low, high, _, _ = t_interval(values)
            x = s - 0.4 + width * (k + 0.5)
            ax.errorbar(
                x,
                mean,
                yerr=[[mean - low], [high - mean]] if not np.isnan(low) else None,
                fmt="o",
                color=palette[entrant],
                capsize=3,
                label=entrant if s == 0 else None,
            )
    ax.set_xticks(range(len(scenarios)), scenarios)
    ax.set_ylabel(f"{primary} (mean per replication)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(frameon=False, fontsize="small", ncol=2)
    ax.figure.tight_layout()
    return ax


def write_leaderboard(
    store: str | Path, games: pd.DataFrame, scores: list[str], title: str, conf: float = 0.95
) -> pd.DataFrame:
    """Write ``leaderboard.csv``, ``leaderboard.md``, ``pairwise.csv``, ``games.csv`` and figures.

    Returns:
        The leaderboard.
    """
    store = Path(store)
    table = leaderboard(games, scores, conf)
    table.to_csv(store / "leaderboard.csv", index=False, float_format="%.6g")
    pairwise(games, scores[0], conf).to_csv(
        store / "pairwise.csv", index=False, float_format="%.6g"
    )
    games.to_csv(store / "games.csv", index=False, float_format="%.6g")
    (store / "leaderboard.md").write_text(
        leaderboard_markdown(table, scores, title, conf), encoding="utf-8"
    )
    figures = store / "figures"
    figures.mkdir(exist_ok=True)
    axes = plot_leaderboard(table, scores[0])
    axes[0].figure.savefig(figures / "leaderboard.png", dpi=120)
    plt.close(axes[0].figure)
    ax = plot_by_scenario(games, scores[0])
    ax.figure.savefig(figures / "by_scenario.png", dpi=120)
    plt.close(ax.figure)
    return table

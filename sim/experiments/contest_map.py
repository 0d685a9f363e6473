"""The conditions map of a contest between two strategies: who wins which outcome, where.

For every design point of a grid sweep and every outcome measured for both strategies
(share of units, shareholder value per firm at years 2, 5 and 10, ...), the map counts in
how many replications the first strategy beat the second. Replications share their seeds
across points (common random numbers), so a point's count is the answer on the same draws
everywhere. A point is *won* by a strategy when it wins in at least ``decisive`` of the
replications (0.8 by default), and *depends on the draw* otherwise.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.experiments.outcomes import STRATEGY_SEPARATOR, USER_SEPARATOR

DECISIVE = 0.8
DRAW = "depends on the draw"
UNCONTESTED = "undefined"


def contested_outcomes(columns, first: str, second: str) -> list[str]:
    """Outcome families measured for both strategies, in column order."""
    families = []
    for column in columns:
        family, sep, strategy = str(column).partition(STRATEGY_SEPARATOR)
        if sep and strategy == first and f"{family}{STRATEGY_SEPARATOR}{second}" in columns:
            families.append(family)
    return families


def win_table(
    df: pd.DataFrame,
    parameters: list[str],
    family: str,
    first: str,
    second: str,
    decisive: float = DECISIVE,
) -> pd.DataFrame:
    """Per design point: replications, the first strategy's win rate and the verdict.

    Args:
        df: sweep results, one row per run (``point`` column and the parameters).
        parameters: the design's parameter columns.
        family: an outcome family measured for both strategies (``final_share``).
        first: the first strategy (e.g. ``customer_obsessed``).
        second: the second strategy.
        decisive: win rate at which a point is called for one side.

    Returns:
        One row per point: the parameters, ``n`` (replications with both values defined),
        ``first_wins`` (share of them where the first strategy's value is higher; ties
        count half), the two means, and ``winner`` (a strategy, :data:`DRAW`, or
        :data:`UNCONTESTED` where no replication defines the outcome for both sides, as
        at the edge of a mix where one side has no firms).
    """
    a = f"{family}{STRATEGY_SEPARATOR}{first}"
    b = f"{family}{STRATEGY_SEPARATOR}{second}"
    rows = []
    for point, group in df.groupby("point", sort=True):
        both = group[[a, b]].dropna()
        n = len(both)
        wins = float(((both[a] > both[b]) + 0.5 * (both[a] == both[b])).sum()) if n else np.nan
        rate = wins / n if n else np.nan
        if n == 0:
            winner = UNCONTESTED
        elif rate >= decisive:
            winner = first
        elif rate <= 1 - decisive:
            winner = second
        else:
            winner = DRAW
        row = {name: group[name].iloc[0] for name in parameters}
        row.update(
            point=point,
            outcome=family,
            n=n,
            first_wins=rate,
            mean_first=float(both[a].mean()) if n else np.nan,
            mean_second=float(both[b].mean()) if n else np.nan,
            winner=winner,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def plot_win_map(
    table: pd.DataFrame,
    x: str,
    y: str | None,
    first: str,
    second: str,
    ax=None,
    colorbar: bool = True,
    hatch: bool = True,
):
    """Draw the first strategy's win rate over two parameters (one row if ``y`` is None).

    Cells are coloured from the second strategy's colour (win rate 0) to the first's
    (win rate 1); each shows its win rate, and (``hatch``) points that depend on the draw
    are hatched.

    Returns:
        The Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    xs = sorted(table[x].unique())
    ys = sorted(table[y].unique()) if y is not None else [None]
    grid = np.full((len(ys), len(xs)), np.nan)
    for _, row in table.iterrows():
        i = ys.index(row[y]) if y is not None else 0
        grid[i, xs.index(row[x])] = row["first_wins"]
    image = ax.imshow(grid, origin="lower", cmap="PuOr_r", vmin=0.0, vmax=1.0, aspect="auto")
    for i in range(len(ys)):
        for j in range(len(xs)):
            value = grid[i, j]
            if np.isnan(value):
                continue
            ink = "white" if value < 0.25 or value > 0.85 else "black"
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=11, color=ink)
            if hatch and 1 - DECISIVE < value < DECISIVE:
                ax.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="0.4", lw=0
                    )
                )
    ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, float) else v for v in xs])
    ax.set_xlabel(x)
    if y is not None:
        ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, float) else v for v in ys])
        ax.set_ylabel(y)
    else:
        ax.set_yticks([])
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.05)
        bar.set_label(f"share of draws {first} wins\n(0 = {second} wins every draw)")
    return ax


def describe(table: pd.DataFrame, parameters: list[str], first: str, second: str) -> str:
    """Plain-language account of one outcome's map (Markdown)."""
    outcome = table["outcome"].iloc[0]
    counts = table["winner"].value_counts()
    total = len(table)
    lines = [f"### {outcome}", ""]
    uncontested = table[table["winner"] == UNCONTESTED]
    lines.append(
        f"Of {total} conditions, {first} wins in {counts.get(first, 0)}, {second} in "
        f"{counts.get(second, 0)}, and the winner depends on the draw in "
        f"{counts.get(DRAW, 0)} (a side wins a condition when it does in at least "
        f"{DECISIVE:.0%} of the replications)"
        + (f"; {len(uncontested)} have no contest." if len(uncontested) else ".")
    )
    for side in (first, second):
        won = table[table["winner"] == side]
        if len(won):
            best = won.sort_values("first_wins", ascending=(side == second)).iloc[0]
            where = ", ".join(f"{name} = {best[name]}" for name in parameters)
            lines.append(
                f"- {side} wins most clearly at {where} "
                f"({best['first_wins']:.0%} of draws to {first})."
            )
    contested = table[table["winner"] == DRAW]
    for _, row in contested.iterrows():
        where = ", ".join(f"{name} = {row[name]}" for name in parameters)
        lines.append(f"- depends on the draw at {where} ({row['first_wins']:.0%} to {first}).")
    for _, row in uncontested.iterrows():
        where = ", ".join(f"{name} = {row[name]}" for name in parameters)
        lines.append(
            f"- no contest at {where}: the outcome is not defined for both sides in any "
            "replication (one side has no firms there)."
        )
    return "\n".join(lines) + "\n"


def strategies_in(columns) -> list[str]:
    """Strategies named in outcome columns (``family__strategy``), in first-seen order."""
    found: list[str] = []
    for column in columns:
        _, sep, strategy = str(column).partition(STRATEGY_SEPARATOR)
        if sep and strategy not in found:
            found.append(strategy)
    return found


def write_contest_maps(df: pd.DataFrame, parameters: list[str], out) -> list:
    """Win tables, maps and a plain-language account of a two-strategy grid sweep.

    With three parameters or more, the map is drawn for each level of the third (a row of
    panels) and of the fourth (one row per level); further parameters are averaged in the
    picture (its title says so, and such averages are not hatched: a mix of conditions
    is not a draw) and kept apart in the table.

    Args:
        df: sweep results.
        parameters: the design's parameters, in order.
        out: folder for ``contest_map.csv``, ``contest_map.md`` and one PNG per outcome.

    Returns:
        Paths written (empty unless exactly two strategies are measured).
    """
    from pathlib import Path

    out = Path(out)
    strategies = strategies_in(df.columns)
    if len(strategies) != 2 or not parameters:
        return []
    first, second = strategies
    families = contested_outcomes(list(df.columns), first, second)
    if not families:
        return []
    tables = [win_table(df, parameters, family, first, second) for family in families]
    written = []
    table = pd.concat(tables, ignore_index=True)
    path = out / "contest_map.csv"
    table.to_csv(path, index=False)
    written.append(path)
    text = [
        f"# Who wins where: {first} against {second}",
        "",
        "Each condition was run on the same replications (common random numbers); a side "
        f"wins a condition when it beats the other in at least {DECISIVE:.0%} of them.",
        "",
    ]
    x = parameters[0]
    y = parameters[1] if len(parameters) > 1 else None
    panel = parameters[2] if len(parameters) > 2 else None
    row = parameters[3] if len(parameters) > 3 else None
    averaged = parameters[4:]
    for family, part in zip(families, tables, strict=True):
        text.append(describe(part, parameters, first, second))
        levels = sorted(part[panel].unique()) if panel else [None]
        row_levels = sorted(part[row].unique()) if row else [None]
        figure, axes = plt.subplots(
            len(row_levels),
            len(levels),
            figsize=(5.2 * len(levels) + 1.0, 4.2 * len(row_levels)),
            squeeze=False,
        )
        for r, row_level in enumerate(row_levels):
            for k, level in enumerate(levels):
                ax, rows = axes[r][k], part
                if panel is not None:
                    rows = rows[rows[panel] == level]
                if row is not None:
                    rows = rows[rows[row] == row_level]
                if averaged:
                    keys = [x, y] if y else [x]
                    rows = rows.groupby(keys, as_index=False)["first_wins"].mean()
                plot_win_map(
                    rows,
                    x,
                    y,
                    first,
                    second,
                    ax=ax,
                    colorbar=k == len(levels) - 1,
                    hatch=not averaged,
                )
                titles = [
                    f"{name} = {value:g}"
                    for name, value in ((panel, level), (row, row_level))
                    if name
                ]
                ax.set_title(", ".join(titles))
        title = f"{family}: share of draws {first} beats {second}"
        if averaged:
            title += f"\n(averaged over {', '.join(averaged)}: see contest_map.csv)"
        figure.suptitle(title)
        figure.tight_layout()
        path = out / f"contest_map_{family.replace(USER_SEPARATOR, '_')}.png"
        figure.savefig(path, dpi=130)
        plt.close(figure)
        written.append(path)
    path = out / "contest_map.md"
    path.write_text("\n".join(text), encoding="utf-8")
    written.append(path)
    return written

"""``flywheel discover``: scenario discovery on a sweep store, written as a report and figures.

Outputs in ``--out`` (default ``STORE/discover``): ``discover.md`` (the rule, the chosen box
in plain words, the peeling trajectory, CART's rules), ``discover.csv`` (the chosen box, one
row per restricted parameter, with its statistics), ``discover_trajectory.csv``,
``discover_trajectory.png`` (coverage against density of every box PRIM peeled) and
``discover_box.png`` (the cases over each pair of restricted parameters, the box drawn).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.discover import Discovery, describe_box
from sim.scenario import InputError

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
PAIRS_SHOWN = 4  # restricted parameters drawn pairwise (the most significant first)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_INPUT


def cmd_discover(args: argparse.Namespace) -> int:
    """``flywheel discover``: load the store, find the box, write the report."""
    from sim.experiments.discover import cases_of_interest, discover
    from sim.experiments.store import SweepStore, load_results
    from sim.outputs.folders import writable_problem

    try:
        store = SweepStore.open(args.dir)
    except (FileNotFoundError, InputError) as exc:
        return _error(str(exc))
    runs = load_results(args.dir)
    if runs.empty:
        return _error(f"{args.dir} has no finished runs yet")
    parameters = [p for p in store.manifest()["design"]["parameters"] if p in runs.columns]
    varied = [p for p in parameters if runs[p].nunique(dropna=True) > 1]
    if not varied:
        return _error(f"{args.dir}: no design parameter varies across the runs")
    try:
        interest = cases_of_interest(runs, args.outcome, args.threshold, args.below)
    except ValueError as exc:
        return _error(str(exc))
    defined = interest.notna()
    x = runs.loc[defined, varied]
    y = interest[defined].astype(bool).to_numpy()
    out = args.out if args.out is not None else Path(args.dir) / "discover"
    problem = writable_problem(out, "--out")
    if problem is not None or out.is_file():
        return _error(f"--out {out}: {problem.rule if problem else 'is a file'}")
    try:
        found = discover(
            x,
            y,
            min_density=args.density,
            peel_alpha=args.peel_alpha,
            mass_min=args.mass_min,
            tree_depth=args.depth,
            seed=args.seed,
        )
    except RuntimeError as exc:  # the optional extra is missing
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as exc:
        return _error(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    written = write_discovery(found, x, y, out, args.outcome, int((~defined).sum()))
    stats = found.stats()
    print(
        f"{found.of_interest} of {found.cases} runs of interest; chosen box: coverage "
        f"{stats['coverage']:.0%}, density {stats['density']:.0%}, mass {stats['mass']:.0%}"
    )
    for line in describe_box(found.box):
        print(f"  {line}")
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def write_discovery(
    found: Discovery, x: pd.DataFrame, y: np.ndarray, out: Path, rule: str, undefined: int
) -> list[Path]:
    """Write ``discover.md``, the CSV tables and the two figures into ``out``."""
    stats = found.stats()
    box = found.box.assign(coverage=stats["coverage"], density=stats["density"], mass=stats["mass"])
    paths = [out / "discover.csv", out / "discover_trajectory.csv"]
    box.to_csv(paths[0], index=False)
    found.trajectory.to_csv(paths[1], index=False)
    figure = trajectory_figure(found.trajectory)
    paths.append(out / "discover_trajectory.png")
    figure.savefig(paths[-1], dpi=150)
    figure = box_figure(found.box, x, y)
    paths.append(out / "discover_box.png")
    figure.savefig(paths[-1], dpi=150)
    paths.append(out / "discover.md")
    paths[-1].write_text(report_text(found, rule, undefined), encoding="utf-8")
    return paths


def report_text(found: Discovery, rule: str, undefined: int) -> str:
    """The Markdown report of a discovery."""
    stats = found.stats()
    share = found.of_interest / found.cases
    lines = [
        "# Scenario discovery",
        "",
        f"Cases of interest: runs where `{rule}`: **{found.of_interest} of {found.cases}** "
        f"({share:.0%}).",
    ]
    if undefined:
        lines.append(
            f"{undefined} runs where the rule is undefined (a missing outcome) are left out."
        )
    lines += [
        "",
        "## The box (PRIM)",
        "",
        f"The chosen box holds {stats['coverage']:.0%} of the cases of interest (coverage); "
        f"{stats['density']:.0%} of the runs inside it are of interest (density, against "
        f"{share:.0%} overall); it holds {stats['mass']:.0%} of all runs (mass). Its "
        f"{int(stats['res_dim'])} restriction(s):",
        "",
    ]
    lines += [f"- {line}" for line in describe_box(found.box)] or ["- none"]
    lines += [
        "",
        "A quasi-p value (Bryant and Lempert 2010) tests whether the density would be as high "
        "without that edge of the box by chance alone: small values (below 0.05) mark a "
        "restriction that matters.",
        "",
        "## Peeling trajectory",
        "",
        "| box | coverage | density | mass | restricted | chosen |",
        "|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in found.trajectory.itertuples():
        lines.append(
            f"| {row.box} | {row.coverage:.2f} | {row.density:.2f} | {row.mass:.2f} | "
            f"{row.res_dim} | {'yes' if row.chosen else ''} |"
        )
    lines += [
        "",
        "## A second view: a classification tree (CART)",
        "",
        "| leaf | runs | density | coverage | called |",
        "|---|---:|---:|---:|---|",
    ]
    for row in found.leaves.itertuples():
        called = "of interest" if row.of_interest else "not"
        lines.append(
            f"| {row.rule} | {row.n} | {row.density:.2f} | {row.coverage:.2f} | {called} |"
        )
    lines += ["", "```", found.tree_rules.rstrip(), "```", ""]
    return "\n".join(lines)


def trajectory_figure(trajectory: pd.DataFrame):
    """Coverage against density of every box on the peeling trajectory."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = figure.subplots()
    points = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis"
    )
    from matplotlib.ticker import MaxNLocator

    bar = figure.colorbar(points, ax=ax, label="restricted parameters")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    chosen = trajectory[trajectory["chosen"]]
    ax.scatter(
        chosen["coverage"], chosen["density"], s=160, facecolors="none", edgecolors="#d62728"
    )
    for row in chosen.itertuples():
        right = row.coverage > 0.6  # label to the left of a point near the right edge
        ax.annotate(
            f"chosen (box {row.box})",
            (row.coverage, row.density),
            xytext=(-10 if right else 10, -14),
            textcoords="offset points",
            ha="right" if right else "left",
            color="#d62728",
        )
    ax.set_xlabel("coverage (share of cases of interest in the box)")
    ax.set_ylabel("density (share of the box's runs of interest)")
    ax.set_title("PRIM peeling trajectory")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(-0.02, 1.05)
    ax.grid(alpha=0.3)
    return figure


def box_figure(box: pd.DataFrame, x: pd.DataFrame, y: np.ndarray):
    """The cases over each pair of restricted parameters, with the chosen box drawn."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    order = box.assign(qp=box[["qp_low", "qp_high"]].min(axis=1, skipna=True)).sort_values(
        "qp", kind="stable", na_position="last"
    )
    names = list(order["parameter"][:PAIRS_SHOWN])
    if len(names) < 2:  # show the restricted parameter against the next varied one
        names += [c for c in x.columns if c not in names][: 2 - len(names)]
    limits = {row.parameter: (row.low, row.high) for row in box.itertuples()}
    size = len(names) - 1
    figure = Figure(figsize=(3.4 * size + 1, 3.2 * size + 0.6), layout="constrained")
    axes = np.atleast_2d(figure.subplots(size, size, squeeze=False))
    spread = np.random.default_rng(0)  # jitter only: grid levels would overlap
    jitter = {c: spread.uniform(-0.015, 0.015, len(x)) * (x[c].max() - x[c].min()) for c in names}
    for i in range(size):
        for j in range(size):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            cx, cy = names[j], names[i + 1]
            for flag, colour, label in (
                (False, "#bbbbbb", "other runs"),
                (True, "#1f77b4", "of interest"),
            ):
                keep = y == flag
                ax.scatter(
                    x[cx][keep] + jitter[cx][keep],
                    x[cy][keep] + jitter[cy][keep],
                    s=10,
                    color=colour,
                    alpha=0.7,
                    label=label,
                )
            x_low, x_high = limits.get(cx, (x[cx].min(), x[cx].max()))
            y_low, y_high = limits.get(cy, (x[cy].min(), x[cy].max()))
            ax.add_patch(
                Rectangle(
                    (x_low, y_low),
                    x_high - x_low,
                    y_high - y_low,
                    fill=False,
                    edgecolor="#d62728",
                    linewidth=2,
                    label="chosen box",
                )
            )
            ax.set_xlabel(cx)
            ax.set_ylabel(cy)
    axes[0, 0].legend(loc="best", fontsize="small")
    figure.suptitle("Runs of interest and the chosen box")
    return figure

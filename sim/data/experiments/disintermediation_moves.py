"""Paired measure of the platform's moves on ``platform_disintermediation``.

``flywheel claims`` reports each mechanic's effect on the market-wide headlines; this
script answers the disintermediation map's question on one design: whether the brands that stay
direct earn more than the joiners. Every level runs on the same seeds; an effect is the
mean paired difference (level minus all moves on) with a t interval.

Run from the repository root::

    python experiments/disintermediation_moves.py --seeds 4 --consumers 3000 --out DIR

It writes ``runs.csv`` (one row per level and seed) and ``effects.csv``, and prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import sim

WEEKS = 52
MOVES_ON = {
    "platforms.0.moves": {
        "own_label": {"enabled": True},
        "steering": 0.3,
        "holdup_fee": True,
        "return_share": 0.3,
    },
    "owned_customers": {
        "measure_data_value": True,
        "starting_strength": [{"firm": "Direct", "loyal_share": 0.3, "knowledge": 0.3}],
    },
}
LEVELS = {
    "all_on": {},
    "own_label_off": {"platforms.0.moves.own_label.enabled": False},
    "steering_off": {"platforms.0.moves.steering": 0.0},
    "holdup_fee_off": {"platforms.0.moves.holdup_fee": False},
    "return_to_platform_off": {"platforms.0.moves.return_share": 0.0},
    "brand_strength_off": {"owned_customers.starting_strength": []},
    "all_off": {
        "platforms.0.moves": {},
        "owned_customers": {"measure_data_value": True, "starting_strength": []},
    },
}


def _year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[table["step"].between((year - 1) * WEEKS + 1, year * WEEKS)]


def outcomes(result) -> dict[str, float]:
    """The run's figures: profit gap of direct over joining brands, share through the platform."""
    firms, model = result.firms, result.model
    platforms = result.tables["platforms"]
    group = np.where(firms["name"].str.startswith("Direct"), "direct", "joiner")
    firms = firms.assign(group=group)
    last_year = int(model["step"].max()) // WEEKS
    row: dict[str, float] = {}
    for label, year in (("y3", 3), ("end", last_year)):
        profit = _year(firms, year).groupby(["group", "name"])["operating_profit"].sum()
        per_firm = profit.groupby(level="group").mean()
        row[f"direct_profit_{label}"] = float(per_firm.get("direct", np.nan))
        row[f"joiner_profit_{label}"] = float(per_firm.get("joiner", np.nan))
        row[f"direct_minus_joiner_{label}"] = row[f"direct_profit_{label}"] - float(
            per_firm.get("joiner", np.nan)
        )
    end = firms[firms["step"] == firms["step"].max()]
    knowledge = end.groupby("group")["knowledge"].mean()
    row["knowledge_direct"] = float(knowledge.get("direct", np.nan))
    row["knowledge_joiner"] = float(knowledge.get("joiner", np.nan))
    if "data_value_per_owned" in end:
        value = end.groupby("group")["data_value_per_owned"].mean()
        row["data_value_direct"] = float(value.get("direct", np.nan))
        row["data_value_joiner"] = float(value.get("joiner", np.nan))
    final = _year(model, last_year)
    row["disintermediation_index"] = float(final["disintermediation_index"].mean())
    closing = _year(platforms, last_year)
    row["take_rate_end"] = float(closing["take_rate"].mean())
    if "own_label_units" in closing:
        through = float(closing["purchases"].sum())
        row["own_label_share"] = float(closing["own_label_units"].sum()) / through if through else 0
    return row


def main() -> None:
    """Run every level on the same seeds and print the paired effects."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--consumers", type=int, default=3000)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--root-seed", type=int, default=2020)
    parser.add_argument("--out", default="results/disintermediation_moves")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = [
        int(s.generate_state(1)[0])
        for s in np.random.SeedSequence(args.root_seed).spawn(args.seeds)
    ]
    rows = []
    for seed in seeds:
        for level, changes in LEVELS.items():
            overrides = copy.deepcopy({**MOVES_ON, **changes, "consumers.count": args.consumers})
            if args.steps:
                overrides["steps"] = args.steps
            start = time.perf_counter()
            scenario = sim.load_scenario("platform_disintermediation", overrides)
            result = sim.run(scenario, seed=seed)
            rows.append(
                {"level": level, "seed": seed, **outcomes(result)}
                | {"seconds": time.perf_counter() - start}
            )
            pd.DataFrame(rows).to_csv(out / "runs.csv", index=False)
            print(level, seed, f"{rows[-1]['seconds']:.0f}s", flush=True)
    runs = pd.DataFrame(rows)
    effects = paired_effects(runs)
    effects.to_csv(out / "effects.csv", index=False)
    print(effects.to_string(index=False, float_format="{:.4g}".format))


def paired_effects(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean of each outcome per level, and all-on minus level with a 95% t interval."""
    metrics = [c for c in runs.columns if c not in ("level", "seed", "seconds")]
    reference = runs[runs["level"] == "all_on"].set_index("seed")
    rows = []
    for level, group in runs.groupby("level", sort=False):
        group = group.set_index("seed").loc[reference.index]
        for metric in metrics:
            diff = (reference[metric] - group[metric]).dropna()
            n = len(diff)
            half = stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            rows.append(
                {
                    "level": level,
                    "outcome": metric,
                    "mean": group[metric].mean(),
                    "all_on_minus_level": diff.mean(),
                    "ci_low": diff.mean() - half,
                    "ci_high": diff.mean() + half,
                    "direct_wins": int((group["direct_minus_joiner_end"] > 0).sum()),
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    main()

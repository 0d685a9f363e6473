"""``flywheel calibrate``: run a calibration study and write what it found.

Outputs in ``--out`` (default ``runs/<scenario>-calibration``): ``study.db`` (the optuna
study; running the command again resumes it), ``trials.csv`` (one row per trial and seed),
``details/trial-NNNN.csv`` (what the target compared, per seed), ``calibration.md`` (the
hand-set file against the fit, with the spread over seeds and the near-optimal range of
every parameter), ``calibration.csv`` (the parameters), ``fitted.yaml`` (the fitted values
as ``--set`` overrides) and ``convergence.png`` (best distance so far, trial by trial).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.experiments.calibrate import (
    EXTRA_HINT,
    STUDY_NAME,
    TARGETS,
    CalibrationSpec,
    check_parameters,
    evaluate,
    hand_set_values,
    load_spec,
    run_seeds,
)
from sim.scenario import InputError

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
NEAR_OPTIMAL = 0.1  # the best tenth of the trials (at least three) give each parameter's range


def _error(message: str, code: int = EXIT_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _open_study(out: Path, spec: CalibrationSpec):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=STUDY_NAME,
        storage=f"sqlite:///{out / 'study.db'}",
        load_if_exists=True,
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=spec.seed),
    )
    # A trial cut short by an interruption is failed, and its rows dropped; it is redone.
    for trial in study.get_trials(deepcopy=False):
        if trial.state == optuna.trial.TrialState.RUNNING:
            study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
    return study


def _distributions(spec: CalibrationSpec) -> dict:
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        path: (
            IntDistribution(round(r.low), round(r.high), log=r.log)
            if r.integer
            else FloatDistribution(r.low, r.high, log=r.log)
        )
        for path, r in spec.parameters.items()
    }


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``flywheel calibrate``: validate, resume or start the study, run it, report."""
    try:
        import optuna
    except ImportError:
        return _error(EXTRA_HINT, EXIT_FAILED)
    from sim.outputs.folders import writable_problem

    overrides = {k: v for k, v in (("trials", args.trials), ("seeds", args.seeds)) if v}
    if args.workers < 1:
        return _error(f"--workers must be at least 1, got {args.workers}")
    try:
        spec = load_spec(args.targets, overrides)
        base = check_parameters(args.scenario, spec, str(args.targets))
    except InputError as exc:
        return _error(str(exc))
    out = args.out if args.out is not None else Path("runs") / f"{base.name}-calibration"
    problem = writable_problem(out, "--out")
    if problem is not None or out.is_file():
        return _error(f"--out {out}: {problem.rule if problem else 'is a file'}")
    (out / "details").mkdir(parents=True, exist_ok=True)
    study = _open_study(out, spec)
    seeds = run_seeds(spec)
    distributions = _distributions(spec)
    rows_path = out / "trials.csv"
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    waiting = [t for t in study.trials if t.state == optuna.trial.TrialState.WAITING]
    if not done and not waiting:  # the scenario as written comes first (again, if cut short)
        study.enqueue_trial(hand_set_values(base, spec), user_attrs={"hand_set": True})
    print(f"calibrating {base.name} on {spec.target}: {len(done)} of {spec.trials} trials done")
    try:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            while len(done) < spec.trials:
                trial = study.ask(distributions)
                values = dict(trial.params)
                futures = [
                    pool.submit(evaluate, args.scenario, spec, values, seed) for seed in seeds
                ]
                try:
                    results = [future.result() for future in futures]
                except Exception as exc:  # a run that failed: name the trial, keep the study
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    return _error(f"trial {trial.number} ({values}) failed: {exc}", EXIT_FAILED)
                distances = [distance for distance, _ in results]
                details = pd.concat(
                    [
                        table.assign(seed=seed)
                        for seed, (_, table) in zip(seeds, results, strict=True)
                    ]
                )
                details.to_csv(out / "details" / f"trial-{trial.number:04d}.csv", index=False)
                rows = pd.DataFrame(
                    [
                        {"trial": trial.number, "seed": s, "distance": d, **values}
                        for s, d in zip(seeds, distances, strict=True)
                    ]
                )
                rows.to_csv(rows_path, mode="a", header=not rows_path.exists(), index=False)
                study.tell(trial, float(np.mean(distances)))
                done.append(trial)
                best = study.best_value
                print(f"trial {trial.number}: {np.mean(distances):.4f} (best {best:.4f})")
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (InputError, ValueError) as exc:
        return _error(str(exc), EXIT_FAILED)
    for path in write_report(out, study, spec, base.name):
        print(f"wrote {path}")
    return EXIT_OK


def completed_rows(out: Path, study) -> pd.DataFrame:
    """Rows of ``trials.csv`` belonging to completed trials (others were interrupted)."""
    import optuna

    rows = pd.read_csv(out / "trials.csv")
    complete = {t.number for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE}
    return rows[rows["trial"].isin(complete)].drop_duplicates(["trial", "seed"], keep="last")


def hand_set_trial(study) -> int:
    """Number of the completed trial that ran the scenario as written."""
    import optuna

    return min(
        t.number
        for t in study.trials
        if t.state == optuna.trial.TrialState.COMPLETE and t.user_attrs.get("hand_set")
    )


def summarise(rows: pd.DataFrame, parameters: list[str]) -> tuple[pd.DataFrame, int]:
    """Per trial: mean and sd of the distance over seeds; the best trial."""
    per_trial = (
        rows.groupby("trial")
        .agg(
            distance=("distance", "mean"),
            spread=("distance", "std"),
            **{p: (p, "first") for p in parameters},
        )
        .reset_index()
    )
    best = int(per_trial.sort_values(["distance", "trial"], kind="stable")["trial"].iloc[0])
    return per_trial, best


def write_report(out: Path, study, spec: CalibrationSpec, name: str) -> list[Path]:
    """Write ``calibration.md``, ``calibration.csv``, ``fitted.yaml`` and the figure."""
    parameters = list(spec.parameters)
    per_trial, best = summarise(completed_rows(out, study), parameters)
    hand_set = hand_set_trial(study)
    ranked = per_trial.sort_values(["distance", "trial"], kind="stable")
    near = ranked.head(max(3, int(np.ceil(NEAR_OPTIMAL * len(ranked)))))
    first = per_trial.set_index("trial").loc[hand_set]
    fitted = per_trial.set_index("trial").loc[best]
    table = pd.DataFrame(
        [
            {
                "parameter": p,
                "low": spec.parameters[p].low,
                "high": spec.parameters[p].high,
                "hand_set": first[p],
                "fitted": fitted[p],
                "near_optimal_low": near[p].min(),
                "near_optimal_high": near[p].max(),
            }
            for p in parameters
        ]
    )
    paths = [out / "calibration.csv", out / "fitted.yaml", out / "convergence.png"]
    table.to_csv(paths[0], index=False)
    paths[1].write_text(
        yaml.safe_dump({p: float(fitted[p]) for p in parameters}, sort_keys=False), "utf-8"
    )
    convergence_figure(per_trial, hand_set).savefig(paths[2], dpi=150)
    details = {
        label: pd.read_csv(out / "details" / f"trial-{trial:04d}.csv")
        for label, trial in (("hand_set", hand_set), ("fitted", best))
    }
    paths.append(out / "calibration.md")
    paths[-1].write_text(
        report_text(name, spec, per_trial, table, first, fitted, details), encoding="utf-8"
    )
    return paths


def report_text(name, spec, per_trial, table, first, fitted, details) -> str:
    """The Markdown report of a calibration."""
    target = TARGETS[spec.target]
    lines = [
        f"# Calibration of {name}",
        "",
        f"Target: {target.description}. {len(per_trial)} trials of {spec.seeds} seed(s) each "
        f"({len(per_trial) * spec.seeds} runs), the same seeds in every trial; the first "
        "trial is the scenario as written.",
        "",
        "| | distance (mean over seeds) | sd over seeds |",
        "|---|---:|---:|",
        f"| hand-set (trial {int(first.name)}) | {first['distance']:.4f} | {first['spread']:.4f} |",
        f"| fitted (trial {int(fitted.name)}) | {fitted['distance']:.4f} | "
        f"{fitted['spread']:.4f} |",
        "",
        "| parameter | range | hand-set | fitted | near-optimal range |",
        "|---|---|---:|---:|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| `{row.parameter}` | [{row.low:g}, {row.high:g}] | {row.hand_set:.4g} | "
            f"{row.fitted:.4g} | {row.near_optimal_low:.4g} - {row.near_optimal_high:.4g} |"
        )
    lines += [
        "",
        f"The near-optimal range spans the best {NEAR_OPTIMAL:.0%} of the trials (at least "
        "three): a wide range means the target does not pin the parameter down.",
        "",
        "## What the target compared (mean over seeds)",
        "",
    ]
    lines += comparison_lines(spec.target, details)
    lines += [
        "",
        "Use the fit: `flywheel run "
        + name
        + " "
        + " ".join(f"--set {row.parameter}={row.fitted:.6g}" for row in table.itertuples())
        + "`",
        "",
    ]
    return "\n".join(lines)


def comparison_lines(target: str, details: dict[str, pd.DataFrame]) -> list[str]:
    """Rows of the target's comparison, hand-set against fitted, averaged over seeds."""
    if target == "amazon_third_party_share":
        key, shown = "year", ["reference", "model"]
    else:
        key, shown = "label", ["model"]
    frames = []
    for label, frame in details.items():
        mean = frame.groupby(key, sort=False)[shown].mean()
        frames.append(mean["model"].rename(label))
    merged = pd.concat(frames, axis=1)
    if target == "amazon_third_party_share":
        reference = details["hand_set"].groupby(key, sort=False)["reference"].first()
        merged.insert(0, "reference", reference)
    else:
        from sim.outputs.sections.industry import PUBLISHED

        bands = {item.label: (item.low, item.high) for item in PUBLISHED}
        merged.insert(0, "band", [f"[{bands[k][0]:g}, {bands[k][1]:g}]" for k in merged.index])
        for label in ("hand_set", "fitted"):
            met = sum(
                bands[k][0] <= v <= bands[k][1] for k, v in merged[label].items() if np.isfinite(v)
            )
            merged.loc["facts met (of the means)", label] = met
    header = "| " + " | ".join([key, *merged.columns]) + " |"
    lines = [header, "|" + "---|" * (len(merged.columns) + 1)]
    for index, row in merged.iterrows():
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.tolist()]
        lines.append(f"| {index} | " + " | ".join(cells) + " |")
    return lines


def convergence_figure(per_trial: pd.DataFrame, hand_set: int):
    """Each trial's distance and the best so far, with the hand-set file's as a line."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = figure.subplots()
    ordered = per_trial.sort_values("trial")
    ax.scatter(ordered["trial"], ordered["distance"], s=14, color="#999999", label="trial")
    ax.plot(ordered["trial"], ordered["distance"].cummin(), color="#1f77b4", label="best so far")
    first = ordered.loc[ordered["trial"] == hand_set, "distance"].iloc[0]
    ax.axhline(first, color="#d62728", linestyle="--", label="hand-set scenario")
    ax.set_xlabel("trial")
    ax.set_ylabel("distance to the target (mean over seeds)")
    ax.set_title("Calibration: convergence")
    ax.legend()
    ax.grid(alpha=0.3)
    return figure

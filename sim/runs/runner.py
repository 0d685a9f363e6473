"""Run a scenario and keep its results: tidy tables, the resolved scenario, a manifest."""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.components.lifecycle import EVENT_COLUMNS
from sim.runs.memory import check_memory
from sim.model.market import MarketModel
from sim.scenario import Scenario, load_scenario

DEPENDENCIES = ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "networkx", "matplotlib")
TABLES = ("model", "firms")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def package_versions() -> dict[str, str]:
    """Versions of Python, this package and its main dependencies."""
    versions = {"python": platform.python_version()}
    for name in ("flywheel-sim", *DEPENDENCIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        scenario: the resolved scenario (with overrides and the seed used).
        seed: the run's seed.
        model: one row per step (market metrics; see ``sim.model.metrics``).
        firms: one row per firm per step.
        manifest: provenance (seed, scenario hash, versions, steps, wall time).
        tables: every table by name, including ``model`` and ``firms``.
    """

    scenario: Scenario
    seed: int
    model: pd.DataFrame
    firms: pd.DataFrame
    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def save(self, out: str | os.PathLike, csv: bool = False, figures: bool | str = True) -> Path:
        """Write tables, scenario, manifest, summary and figures to ``out``, whole.

        Files are written to a temporary folder beside ``out``, which is then renamed to
        ``out``: an error never leaves a half-written result, and an earlier run folder at
        ``out`` is replaced as a whole (see :mod:`sim.outputs.folders`), never mixed with this one.

        Args:
            out: destination folder (created if needed).
            csv: also write each table as CSV.
            figures: which figures to draw into ``out/figures``: ``"all"`` (or True),
                ``"key"`` (:data:`sim.outputs.figures.KEY_FIGURES`) or ``"none"`` (or False). With
                fewer than all, the summary ends with a note saying which were drawn.

        Returns:
            The destination folder.

        Raises:
            InputError: when ``out`` is a file or a folder that is not a run folder.
        """
        from sim.outputs import summary as report
        from sim.outputs.folders import (
            check_run_out,
            figures_choice,
            figures_note,
            replace_folder,
            staging_folder,
        )

        figures = figures_choice(figures)
        out = check_run_out(out)
        staging = staging_folder(out)
        try:
            for name, table in self.all_tables().items():
                table.to_parquet(staging / f"{name}.parquet", index=False)
                if csv:
                    table.to_csv(staging / f"{name}.csv", index=False)
            (staging / "scenario.yaml").write_text(self.scenario.to_yaml(), encoding="utf-8")
            (staging / "manifest.json").write_text(
                json.dumps(self.manifest, indent=2, sort_keys=True), encoding="utf-8"
            )
            summary = report.summary(self) + figures_note(figures)
            (staging / "summary.md").write_text(summary, encoding="utf-8")
            if figures != "none":
                from sim.outputs import figures as plots

                plots.save_figures(self, staging / "figures", key_only=figures == "key")
            staging.chmod(0o777 & ~_umask())
            replace_folder(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return out

    def figures(self) -> dict:
        """The run's standard figures by name, as matplotlib Figures (for a notebook).

        The same figures :meth:`save` writes to ``figures/``; see
        :func:`sim.outputs.figures.draw_figures`.
        """
        from sim.outputs import figures as plots

        return plots.draw_figures(self)

    def all_tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the run by name."""
        return {"model": self.model, "firms": self.firms, **self.tables}


def run(
    scenario: Scenario | str | os.PathLike | dict,
    seed: int | None = None,
    steps: int | None = None,
    overrides: list[str] | dict[str, Any] | None = None,
    progress=None,
) -> RunResult:
    """Run a scenario and return its tidy results.

    Args:
        scenario: a Scenario, a YAML path, a scenario name or a mapping.
        seed: the run's seed (the scenario's own seed if None).
        steps: number of weekly steps (the scenario's ``steps`` if None).
        overrides: ``--set`` style overrides, e.g. ``{"consumers.count": 1000}``.
        progress: optional callable invoked after each step.

    Returns:
        The run's :class:`RunResult`.

    Raises:
        InputError: on a bad scenario, or one whose memory estimate exceeds the memory
            available (see :mod:`sim.runs.memory`).
    """
    extra: dict[str, Any] = {}
    if seed is not None:
        extra["seed"] = int(seed)
    if steps is not None:
        extra["steps"] = int(steps)
    resolved = load_scenario(scenario, overrides)
    if extra:
        resolved = load_scenario(resolved, extra)
    check_memory(resolved)
    started = time.perf_counter()
    model = MarketModel(resolved, seed=resolved.seed)
    model.run(progress=progress)
    return result_of(model, time.perf_counter() - started)


def result_of(model: MarketModel, wall: float) -> RunResult:
    """Collect the tables and manifest of a model that has run.

    Args:
        model: the model after its last step (its ``spec`` is the resolved scenario).
        wall: wall-clock seconds the run took.

    Returns:
        The run's :class:`RunResult`.
    """
    resolved = model.spec
    collector = model.datacollector
    model_table = collector.get_model_vars_dataframe().reset_index(drop=True)
    firm_table = collector.get_table_dataframe("firms")
    tables = {name: collector.get_table_dataframe(name) for name in model.extra_tables}
    manifest = {
        "scenario": resolved.name,
        "scenario_sha256": resolved.digest(),
        "seed": resolved.seed,
        "steps": resolved.steps,
        "wall_seconds": round(wall, 3),
        "versions": package_versions(),
        "platform": platform.platform(),
    }
    tables["events"] = events_table(model)
    return RunResult(resolved, resolved.seed, model_table, firm_table, manifest, tables)


def events_table(model: MarketModel) -> pd.DataFrame:
    """One row per life-cycle event (entry, stasis, irrelevance, decline, death...).

    Args:
        model: a model that has run.

    Returns:
        Columns ``step, firm_id, name, strategy, event, detail, value``.
    """
    table = pd.DataFrame(model.events, columns=EVENT_COLUMNS)
    return table.astype({"step": "int64", "firm_id": "int64", "value": "float64"})


def load_result(folder: str | os.PathLike) -> RunResult:
    """Read a run folder written by :meth:`RunResult.save`.

    Args:
        folder: the folder.

    Returns:
        The run's result.
    """
    folder = Path(folder)
    scenario = load_scenario(folder / "scenario.yaml")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = {path.stem: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}
    model_table, firm_table = tables.pop("model"), tables.pop("firms")
    return RunResult(scenario, scenario.seed, model_table, firm_table, manifest, tables)

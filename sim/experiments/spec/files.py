"""Where sweep files are found: the search path, the list of named sweeps, a name's file."""

from __future__ import annotations

from pathlib import Path

from sim.experiments.spec.schema import did_you_mean
from sim.scenario import InputError, Problem
from sim.scenario.loading import locate_named_file

EXPERIMENTS_DIR_ENV = "FLYWHEEL_EXPERIMENTS"


def experiment_search_path() -> list[Path]:
    """Folders searched when a sweep is given by name."""
    import os

    from sim.scenario.packaged import packaged_folder

    folders = []
    if os.environ.get(EXPERIMENTS_DIR_ENV):
        folders.append(Path(os.environ[EXPERIMENTS_DIR_ENV]))
    folders.append(Path.cwd() / "experiments")
    folders.append(packaged_folder("experiments"))
    return list(dict.fromkeys(folders))


def list_sweeps() -> list[tuple[str, Path]]:
    """Sweep names with their files; an earlier folder's name hides a later one's."""
    found: dict[str, Path] = {}
    for folder in experiment_search_path():
        for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            found.setdefault(file.stem, file)
    return sorted(found.items())


def find_sweep(name_or_path: str | Path) -> Path:
    """Locate a sweep file given a path or a name such as ``orientation_mix``.

    Raises:
        InputError: when nothing matches (lists the names that exist).
    """
    found = locate_named_file(name_or_path, experiment_search_path(), "sweep")
    if found is not None:
        return found
    known = [name for name, _ in list_sweeps()]
    rule = "no such sweep file or name" + did_you_mean(str(name_or_path), known)
    if known:
        rule += f" (known: {', '.join(known)})"
    raise InputError([Problem(str(name_or_path), "", str(name_or_path), rule)])

"""Finding and reading scenario files, without the schema (quick for ``flywheel list``)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path

import yaml

from sim.scenario.errors import InputError, Problem
from sim.scenario.packaged import packaged_folder
from sim.scenario.yaml_safe import UnsafeYaml, load_yaml

SCENARIO_DIR_ENV = "FLYWHEEL_SCENARIOS"


def scenario_search_path() -> list[Path]:
    """Folders searched when a scenario is given by name, in order."""
    folders = []
    if os.environ.get(SCENARIO_DIR_ENV):
        folders.append(Path(os.environ[SCENARIO_DIR_ENV]))
    folders.append(Path.cwd() / "scenarios")
    folders.append(packaged_folder("scenarios"))
    unique = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def locate_named_file(
    name_or_path: str | os.PathLike, folders: Iterable[Path], kind: str
) -> Path | None:
    """A file given by path, or by name in ``folders`` (``NAME``, ``.yaml``, ``.yml``).

    Args:
        name_or_path: a path, or a name relative to one of the folders.
        folders: folders searched in order for a name.
        kind: what is looked for, for the message about a folder (``scenario``, ``sweep``).

    Returns:
        The file's path, or None when nothing matches.

    Raises:
        InputError: when the path is a folder.
    """
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    if candidate.is_dir():
        shown = str(name_or_path)
        rule = f"is a folder; give a {kind} file (.yaml) or a {kind} name"
        raise InputError([Problem(shown, "", shown, rule)])
    for folder in folders:
        for suffix in (".yaml", ".yml", ""):
            path = folder / f"{name_or_path}{suffix}"
            if path.is_file():
                return path
    return None


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """Locate a scenario file given a path or a name such as ``validation/logit_nash``.

    Args:
        name_or_path: a path to a YAML file, or a scenario name.

    Returns:
        The file's path.

    Raises:
        InputError: when nothing matches (lists the names that exist).
    """
    found = locate_named_file(name_or_path, scenario_search_path(), "scenario")
    if found is not None:
        return found
    known = [name for name, _ in list_scenarios()]
    hint = difflib.get_close_matches(str(name_or_path), known, n=1)
    rule = "no such file or scenario name" + (f"; did you mean {hint[0]!r}?" if hint else "")
    raise InputError([Problem(str(name_or_path), "", str(name_or_path), rule)])


def list_scenarios() -> list[tuple[str, Path]]:
    """Scenario names with their files, sorted by name.

    Every folder of :func:`scenario_search_path` contributes; a name in an earlier folder
    (the user's own) hides the same name in a later one (the package's).
    """
    found: dict[str, Path] = {}
    for folder in scenario_search_path():
        files = sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
        for file in files:
            found.setdefault(file.relative_to(folder).with_suffix("").as_posix(), file)
    return sorted(found.items())


def read_yaml(path: Path) -> dict:
    """Read a YAML mapping, reporting syntax errors as problems.

    Args:
        path: the file.

    Returns:
        The mapping.

    Raises:
        InputError: on unreadable files, YAML syntax errors or a non-mapping top level.
    """
    file = str(path)
    if path.is_dir():
        raise InputError([Problem(file, "", file, "is a folder, not a YAML file")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(file, "", file, f"cannot read: {exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        rule = f"not a text file (byte {exc.start} is not UTF-8); give a YAML file"
        raise InputError([Problem(file, "", "(binary)", rule)]) from None
    try:
        data = load_yaml(text)
    except UnsafeYaml as exc:
        raise InputError([Problem(file, i.path, i.value, i.rule) for i in exc.issues]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, "", "(YAML)", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(file, "", data, "top level must be a mapping")])
    return data

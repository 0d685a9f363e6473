"""Which scenario a server request may choose: a listed name, or uploaded text. Never a path.

The servers list the scenarios :func:`~sim.scenario.list_scenarios` finds and accept
only those names; a name is loaded through :func:`~sim.scenario.load_scenario`, as on
the command line. Anything else (a path such as ``/etc/passwd`` or ``../x.yaml``, a
misspelt name) is refused without touching the filesystem and without echoing it.
Uploaded text (a scenario file's content) is parsed by the safe YAML loader and checked
by the normal scenario validation; it may use only the built-in strategies (a dotted
path ``package.module:Class`` would import code on the server) and is capped in size
(consumers, weeks, firms). Error messages name the scenario, never a file's location.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from sim.dashboard.http import RequestError, text_field
from sim.scenario import InputError, Problem, Scenario, list_scenarios, load_scenario
from sim.scenario.yaml_safe import UnsafeYaml, load_yaml

UPLOADED = "uploaded scenario"
MAX_SCENARIO_TEXT = 200_000
MAX_UPLOADED_CONSUMERS = 200_000
MAX_UPLOADED_STEPS = 2_080
MAX_UPLOADED_FIRMS = 40
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,60}(/[A-Za-z0-9_-]{1,60}){0,3}")
_DOTTED_PATH = re.compile(r"\s*[A-Za-z_][\w.]*\s*:\s*[A-Za-z_]\w*\s*")


def listed_names() -> list[str]:
    """The scenario names a server offers (and accepts)."""
    return [name for name, _ in list_scenarios()]


@dataclass(frozen=True)
class ScenarioChoice:
    """A scenario a request chose: a listed name, or uploaded text.

    Attributes:
        name: the listed name, or ``"uploaded scenario"``.
        text: the uploaded text (None for a listed name).
    """

    name: str
    text: str | None = None

    @property
    def uploaded(self) -> bool:
        """True for uploaded text."""
        return self.text is not None

    def load(self, overrides: dict[str, Any] | None = None) -> Scenario:
        """The validated scenario (with ``--set`` style overrides).

        Raises:
            InputError: naming the scenario (not its file) and every problem.
            RequestError: for uploaded text that is not a scenario this server runs.
        """
        if self.text is None:
            return _relabelled(lambda: load_scenario(self.name, overrides=overrides), self.name)
        data = uploaded_mapping(self.text)
        scenario = _relabelled(lambda: load_scenario(data, overrides=overrides), UPLOADED)
        _check_size(scenario)
        return scenario


def choose_scenario(
    data: dict, default: str | None = None, allow_text: bool = True
) -> ScenarioChoice:
    """The scenario a request names (``scenario``) or uploads (``scenario_text``).

    Args:
        data: the request's JSON object.
        default: the name used when neither is given (None: one is required).
        allow_text: whether ``scenario_text`` is accepted.

    Raises:
        RequestError: for a name the server does not list (a path is never opened),
            or a missing choice.
    """
    text = text_field(data, "scenario_text", max_characters=MAX_SCENARIO_TEXT)
    if text.strip() and allow_text:
        return ScenarioChoice(UPLOADED, text)
    name = text_field(data, "scenario", max_characters=200).strip() or (default or "")
    if not name:
        raise RequestError("choose a scenario")
    names = listed_names()
    if name in names:
        return ScenarioChoice(name)
    shown = f" {name!r}" if _SAFE_NAME.fullmatch(name) else ""
    hint = difflib.get_close_matches(name, names, n=1)
    raise RequestError(
        f"unknown scenario{shown}: give one of the names this server lists (its scenario "
        "menu), not a path" + (f"; did you mean {hint[0]!r}?" if hint else "")
    )


def uploaded_mapping(text: str) -> dict:
    """The mapping in uploaded scenario text, read safely.

    Raises:
        InputError: for YAML that cannot be read, a top level that is not a mapping, or
            a strategy given by dotted path.
    """
    try:
        data = load_yaml(text)
    except UnsafeYaml as exc:
        raise InputError([Problem(UPLOADED, i.path, i.value, i.rule) for i in exc.issues]) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise InputError([Problem(UPLOADED, "", "(YAML)", f"not valid YAML: {first}")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(UPLOADED, "", data, "top level must be a mapping")])
    found = list(_dotted_paths(data, ""))
    if found:
        rule = "an uploaded scenario may use only the built-in strategies, not a dotted path"
        raise InputError([Problem(UPLOADED, path, value, rule) for path, value in found])
    return data


def _dotted_paths(value: Any, path: str, level: int = 0):
    """``(path, value)`` of every text that names code to import (``module:Class``)."""
    if level > 64:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _dotted_paths(inner, f"{path}.{key}" if path else str(key), level + 1)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _dotted_paths(inner, f"{path}.{index}", level + 1)
    elif isinstance(value, str) and (
        _DOTTED_PATH.fullmatch(value) or (path.endswith("strategy") and ":" in value)
    ):
        yield path, value


def _check_size(scenario: Scenario) -> None:
    firms = sum(firm.count for firm in scenario.firms)
    limits = [
        ("consumers.count", scenario.consumers.count, MAX_UPLOADED_CONSUMERS),
        ("steps", scenario.steps, MAX_UPLOADED_STEPS),
        ("firms (sum of count)", firms, MAX_UPLOADED_FIRMS),
    ]
    problems = [
        Problem(UPLOADED, field, value, f"at most {limit:,} in a scenario run on this server")
        for field, value, limit in limits
        if value > limit
    ]
    if problems:
        raise InputError(problems)


def _relabelled(load, label: str) -> Scenario:
    """Run ``load()``; an InputError's problems name ``label`` instead of a file."""
    try:
        return load()
    except InputError as exc:
        raise InputError([problem._replace(file=label) for problem in exc.problems]) from None

"""Tournament files: entrants, scenarios, seating, replications and scores, validated.

A tournament is compiled into a list of games. Each game is one run of one scenario on
one replication seed with entrants in named seats; replication ``r`` uses the same seed
for every game (common random numbers), so every entrant meets the same consumers and
the same luck. See ``docs/STRATEGIES.md`` for the file format.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.experiments.spec import experiment_search_path
from sim.model.seeds import replication_seeds
from sim.play.seating import seat_names, seat_problems
from sim.scenario import InputError, Problem, Scenario, load_scenario, problems_from_validation
from sim.scenario.yaml_safe import UnsafeYaml, load_yaml
from sim.strategies.registry import resolve_strategy


class Seating(StrEnum):
    """How entrants are seated."""

    field = "field"
    round_robin = "round_robin"


class Measure(StrEnum):
    """What a score measures for the entrant's firm."""

    shareholder_value = "shareholder_value"
    customer_value = "customer_value"
    survival = "survival"
    share = "share"
    customers = "customers"
    payout = "payout"


MEASURE_UNITS = {
    Measure.shareholder_value: "$: payouts so far plus market value",
    Measure.customer_value: "$: cumulative consumer surplus attributed to the firm",
    Measure.survival: "1 if still in the market, else 0",
    Measure.share: "unit share over the quarter before (0-1)",
    Measure.customers: "customers (last bought here)",
    Measure.payout: "$: cumulative payouts to shareholders",
}


class Strict(BaseModel):
    """Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EntrantSpec(Strict):
    """A strategy entered in the tournament."""

    name: str = Field(min_length=1, description="name on the leaderboard")
    strategy: str = Field(min_length=1, description="registered name or package.module:Class")
    params: dict[str, Any] = Field(default_factory=dict, description="strategy parameters")


class ScenarioEntry(Strict):
    """A scenario the entrants play, and which of its firms they take over."""

    scenario: str = Field(min_length=1, description="scenario name or path (file's folder first)")
    seats: list[str] | None = Field(
        None, description="firms the entrants take over (default: every firm at the start)"
    )
    set: dict[str, Any] = Field(default_factory=dict, description="overrides, like --set")


class ScoreSpec(Strict):
    """One score of an entrant's firm in a game."""

    measure: Measure
    at_year: float | None = Field(None, gt=0, description="when (years; default: the end)")
    name: str | None = Field(None, description="column name (default: measure[_y<year>])")

    @property
    def column(self) -> str:
        """The score's column name."""
        if self.name:
            return self.name
        if self.at_year is None:
            return self.measure.value
        return f"{self.measure.value}_y{self.at_year:g}"


class TournamentSpec(Strict):
    """A tournament file (every default written out)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    seed: int = Field(0, ge=0, description="root seed of the seed plan")
    replications: int = Field(10, ge=1, le=10_000)
    steps: int | None = Field(None, ge=1, description="weeks per game (scenario's if omitted)")
    set: dict[str, Any] = Field(default_factory=dict, description="overrides of every scenario")
    entrants: list[EntrantSpec] = Field(min_length=2)
    scenarios: list[ScenarioEntry] = Field(min_length=1)
    seating: Seating = Seating.field
    scores: list[ScoreSpec] = Field(
        default_factory=lambda: [ScoreSpec(measure=Measure.shareholder_value)], min_length=1
    )
    python_path: list[str] = Field(
        default_factory=list,
        description="folders (relative to the file) added to the import path for entrants",
    )
    time_limit_seconds: float = Field(
        5.0, gt=0, description="longest a decision may take before disqualification (s)"
    )
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict)
    variant: str | None = None


@dataclass(frozen=True)
class GameKey:
    """One game: a scenario, a replication and who sits where.

    Attributes:
        game_id: ``s<scenario>-g<lineup>-r<replication>``.
        scenario: index of the scenario entry.
        lineup: index of the line-up within the scenario.
        replication: replication index (its seed is shared by every game).
        seed: the game's seed.
        seats: (seat, entrant name) pairs, in seat order.
        scored: entrants whose scores count in this game.
    """

    game_id: str
    scenario: int
    lineup: int
    replication: int
    seed: int
    seats: tuple[tuple[str, str], ...]
    scored: tuple[str, ...]


@dataclass
class Tournament:
    """A validated tournament: its spec, resolved scenarios and games."""

    spec: TournamentSpec
    file: str
    scenarios: list[Scenario]
    seats: list[list[str]]
    digest: str
    import_paths: list[str] = field(default_factory=list)
    games: list[GameKey] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Name (with the variant)."""
        return self.spec.name + (f"-{self.spec.variant}" if self.spec.variant else "")

    @property
    def entrants(self) -> dict[str, EntrantSpec]:
        """Entrants by name."""
        return {entrant.name: entrant for entrant in self.spec.entrants}

    @property
    def score_columns(self) -> list[str]:
        """Score column names, the ranking score first."""
        return [score.column for score in self.spec.scores]


def lineups(entrants: list[str], seats: list[str], seating: Seating) -> list[tuple]:
    """Who sits where in each game of one scenario and replication.

    ``field``: each entrant in turn takes the first seat and is scored; the other seats
    are filled by the other entrants in rotation, starting after the focal entrant.
    ``round_robin``: every ordered pair of entrants in the first two seats, both scored;
    any further seats keep the scenario's own strategies.

    Returns:
        ``(seat assignments, scored entrants)`` per game.
    """
    games = []
    n = len(entrants)
    if Seating(seating) is Seating.field:
        for k, focal in enumerate(entrants):
            others = [entrants[(k + j) % n] for j in range(1, n)]
            seated = [(seats[0], focal)]
            seated += [(seat, others[j % len(others)]) for j, seat in enumerate(seats[1:])]
            games.append((tuple(seated), (focal,)))
        return games
    for a in entrants:
        for b in entrants:
            if a != b:
                games.append((((seats[0], a), (seats[1], b)), (a, b)))
    return games


def import_folders(paths: list[str], folder: Path | None) -> list[str]:
    """Absolute import folders: relative ones are taken from the tournament file's folder."""
    base = folder if folder is not None else Path.cwd()
    return [str((base / path).resolve()) for path in paths]


def add_import_paths(paths: list[str]) -> None:
    """Put folders on ``sys.path`` (once each) so entrants' dotted paths import."""
    import sys

    for path in paths:
        if path not in sys.path:
            sys.path.insert(0, path)


def _apply_variant(data: dict, file: str) -> tuple[dict, list[Problem]]:
    name = data.get("variant")
    if name is None:
        return data, []
    variants = data.get("variants") or {}
    if name not in variants:
        hint = difflib.get_close_matches(str(name), list(variants), n=1)
        rule = f"unknown variant; known: {', '.join(variants) or '(none)'}"
        rule += f" (did you mean {hint[0]!r}?)" if hint else ""
        return data, [Problem(file, "--variant", name, rule)]
    merged = copy.deepcopy(data)
    for key, value in (variants[name] or {}).items():
        if key in ("set",) and isinstance(value, dict):
            merged["set"] = {**merged.get("set", {}), **value}
        else:
            merged[key] = value
    return merged, []


def _scenario_source(name: str, folder: Path | None) -> str | Path:
    if folder is not None and (folder / name).is_file():
        return folder / name
    return name


def validate_tournament(data: dict, file: str = "<tournament>", folder: Path | None = None):
    """Validate a tournament mapping; every problem is reported at once.

    Args:
        data: the mapping (``variant`` selects one of ``variants``).
        file: name used in messages.
        folder: where relative scenario paths are looked up first.

    Returns:
        The :class:`Tournament`, its games listed.

    Raises:
        InputError: with every problem (file, path, value, rule).
    """
    data, problems = _apply_variant(data, file)
    if problems:
        raise InputError(problems)
    try:
        spec = TournamentSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, TournamentSpec, file)) from None
    paths = import_folders(spec.python_path, folder)
    add_import_paths(paths)
    names = [entrant.name for entrant in spec.entrants]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(file, "entrants", name, "entrant names must be unique"))
    for k, entrant in enumerate(spec.entrants):
        try:
            strategy = resolve_strategy(entrant.strategy)
        except ValueError as exc:
            problems.append(Problem(file, f"entrants.{k}.strategy", entrant.strategy, str(exc)))
            continue
        try:
            strategy.Params.model_validate(entrant.params)
        except ValidationError as exc:
            prefix = ("entrants", k, "params")
            problems += problems_from_validation(exc, strategy.Params, file, prefix)
    columns = [score.column for score in spec.scores]
    for column in sorted({c for c in columns if columns.count(c) > 1}):
        problems.append(Problem(file, "scores", column, "two scores have the same name"))
    scenarios, seats = [], []
    for k, entry in enumerate(spec.scenarios):
        overrides = {**spec.set, **entry.set}
        if spec.steps is not None:
            overrides["steps"] = spec.steps
        try:
            scenario = load_scenario(_scenario_source(entry.scenario, folder), overrides)
        except InputError as exc:
            for problem in exc.problems:
                where = f"scenarios.{k} ({entry.scenario}): {problem.path}"
                problems.append(Problem(file, where, problem.value, problem.rule))
            continue
        chosen = entry.seats if entry.seats is not None else seat_names(scenario)
        problems += seat_problems(scenario, chosen, f"scenarios.{k}.seats", file)
        needed = 2 if spec.seating is Seating.round_robin else 1
        if len(chosen) < needed:
            rule = f"{spec.seating.value} seating needs at least {needed} seats"
            problems.append(Problem(file, f"scenarios.{k}.seats", chosen, rule))
        if len(set(chosen)) != len(chosen):
            problems.append(Problem(file, f"scenarios.{k}.seats", chosen, "a seat is repeated"))
        scenarios.append(scenario)
        seats.append(list(chosen))
    if problems:
        raise InputError(problems)
    document = spec.model_dump(mode="json", exclude={"variants"})
    document["resolved_scenarios"] = [s.digest() for s in scenarios]
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    tournament = Tournament(spec, file, scenarios, seats, digest, paths)
    seeds = replication_seeds(spec.seed, spec.replications)
    for s, chosen in enumerate(seats):
        for g, (seated, scored) in enumerate(lineups(names, chosen, spec.seating)):
            for r, seed in enumerate(seeds):
                tournament.games.append(
                    GameKey(f"s{s:02d}-g{g:03d}-r{r:03d}", s, g, r, seed, seated, scored)
                )
    return tournament


def find_tournament(name_or_path: str | os.PathLike) -> Path:
    """A tournament file by path, or by name in ``experiments/``.

    Raises:
        InputError: if there is no such file.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    for folder in experiment_search_path():
        for candidate in (folder / f"{name_or_path}.yaml", folder / str(name_or_path)):
            if candidate.is_file():
                return candidate
    rule = "no such tournament file (a path, or a name in experiments/)"
    raise InputError([Problem(str(name_or_path), "", str(name_or_path), rule)])


def load_tournament(source: str | os.PathLike | dict, variant: str | None = None) -> Tournament:
    """Read and validate a tournament file (or mapping), optionally one of its variants.

    Raises:
        InputError: with every problem found; nothing is run or written.
    """
    if isinstance(source, dict):
        data, file, folder = dict(source), "<tournament>", None
    else:
        path = find_tournament(source)
        file, folder = str(path), path.parent
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except UnsafeYaml as exc:
            problems = [Problem(file, i.path, i.value, i.rule) for i in exc.issues]
            raise InputError(problems) from None
        except yaml.YAMLError as exc:
            raise InputError([Problem(file, "", "(YAML)", f"not valid YAML: {exc}")]) from None
        if not isinstance(data, dict):
            raise InputError([Problem(file, "", type(data).__name__, "must be a mapping")])
    if variant is not None:
        data["variant"] = variant
    return validate_tournament(data, file, folder)

"""Play in the browser: the same game as ``flywheel play``, one student per browser tab.

Run it with::

    solara run sim/play/page.py

Pick a scenario and a seat, press *Start*, then read each quarter's briefing and set
the decisions. At the end: the scorecard and the ghost replay (the same seed with each
built-in strategy in your seat), and a button that writes the game as a run folder.
Each browser tab holds its own :class:`~sim.play.engine.Game`; the engine, the briefing,
the rules of each entry and the scorecard are those of the terminal game.
"""

from __future__ import annotations

from pathlib import Path

import solara

from sim.play.briefing import Briefing, render_briefing
from sim.play.decisions import FIELDS, SeatDecision, parse_value
from sim.play.engine import Game
from sim.play.scorecard import ghost_table, plot_ghost_replay, save_game, scorecard_markdown
from sim.play.seating import seat_names
from sim.scenario import InputError, list_scenarios, load_scenario

DEFAULT_SCENARIO = "baseline"
MONEY = [f.name for f in FIELDS if f.name not in ("price", "channels")]
UNITS = {f.name: f.unit for f in FIELDS}
MEANINGS = {f.name: f.meaning for f in FIELDS}


def scenario_names() -> list[str]:
    """Scenarios a student can play."""
    return [name for name, _ in list_scenarios()]


def seats_of(scenario: str) -> list[str]:
    """Firms of a scenario a student can take over (empty if it does not load)."""
    try:
        return seat_names(load_scenario(scenario))
    except InputError:
        return []


def _whole(text: str, what: str, minimum: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{what} must be a whole number, got {text!r}") from None
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return value


def new_game(scenario: str, seat: str, seed: str, weeks: str, consumers: str) -> Game:
    """A started game from the setup form (blank fields take the scenario's values).

    Raises:
        ValueError: with a message for the student (bad numbers or scenario problems).
    """
    overrides = {}
    count = _whole(consumers, "consumers", 100)
    if count is not None:
        overrides["consumers.count"] = count
    try:
        game = Game(
            scenario,
            seat=seat or None,
            seed=_whole(seed, "seed", 0),
            steps=_whole(weeks, "weeks", 13),
            overrides=overrides,
        )
    except InputError as exc:
        raise ValueError(str(exc)) from None
    game.begin()
    return game


def form_texts(decision: SeatDecision) -> dict[str, str]:
    """The decision as the form shows it."""
    texts = {"price": f"{decision.price:.2f}"}
    texts.update({name: f"{getattr(decision, name):g}" for name in MONEY})
    return texts


def decision_from_form(
    briefing: Briefing,
    texts: dict[str, str],
    channels: list[str] | None,
    channel_names: tuple[str, ...] | None,
) -> tuple[SeatDecision | None, list[str]]:
    """Check every entry of the form; the decision, or the problems (all of them).

    Args:
        briefing: the quarter's briefing (its defaults fill blank entries).
        texts: entry name -> text typed.
        channels: channels ticked (None when channels are not open this quarter).
        channel_names: channels the seat may choose from.

    Returns:
        ``(decision, [])`` or ``(None, problems)``.
    """
    entries, problems = {}, []
    for name in ("price", *MONEY):
        text = texts.get(name, "").strip()
        if not text:
            continue
        try:
            entries[name] = parse_value(name, text)
        except ValueError as exc:
            problems.append(str(exc))
    if channels is not None and channel_names is not None:
        try:
            entries["channels"] = parse_value("channels", list(channels), channel_names)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        return None, problems
    return briefing.defaults.with_entries(entries), []


@solara.component
def SetupCard(on_start):
    """Scenario, seat, seed, length and size of the market; the Start button."""
    scenario = solara.use_reactive(DEFAULT_SCENARIO)
    seat = solara.use_reactive("")
    seed = solara.use_reactive("")
    weeks = solara.use_reactive("")
    consumers = solara.use_reactive("")
    error = solara.use_reactive("")
    seats = solara.use_memo(lambda: seats_of(scenario.value), [scenario.value])

    def start():
        try:
            game = new_game(scenario.value, seat.value, seed.value, weeks.value, consumers.value)
        except ValueError as exc:
            error.set(str(exc))
            return
        error.set("")
        on_start(game)

    with solara.Card("Play the market: run one firm against the strategies"):
        solara.Select("scenario", values=scenario_names(), value=scenario)
        solara.Select("your firm (blank: the first)", values=["", *seats], value=seat)
        solara.InputText("seed (blank: the scenario's)", value=seed, continuous_update=True)
        solara.InputText(
            "weeks to play (blank: the scenario's)", value=weeks, continuous_update=True
        )
        solara.InputText(
            "consumers (blank: the scenario's)", value=consumers, continuous_update=True
        )
        solara.Button("Start", on_click=start, color="primary")
        if error.value:
            solara.Error(error.value)


@solara.component
def DecisionForm(game: Game, briefing: Briefing, played: int, on_played):
    """The quarter's decisions, with the values in force as defaults.

    ``briefing`` and ``played`` (quarters in the log) are passed so that the form is
    drawn again whenever the game moves, the game object itself being the same.
    """
    texts = solara.use_reactive(form_texts(briefing.defaults))
    chosen = solara.use_reactive(list(briefing.defaults.channels or []))
    problems = solara.use_reactive([])

    def reset_form():
        texts.set(form_texts(briefing.defaults))
        chosen.set(list(briefing.defaults.channels or []))
        problems.set([])

    solara.use_effect(reset_form, [briefing.quarter, played])

    def play():
        open_channels = game.channel_names is not None and briefing.channels_open
        decision, found = decision_from_form(
            briefing, texts.value, chosen.value if open_channels else None, game.channel_names
        )
        if found:
            problems.set(found)
            return
        game.submit(decision)
        on_played()

    def undo():
        try:
            game.undo()
        except ValueError as exc:
            problems.set([str(exc)])
            return
        on_played()

    def keep_to_the_end():
        game.keep_playing_to_the_end()
        on_played()

    def entry(name: str):
        def set_text(value: str):
            texts.set({**texts.value, name: value})

        solara.InputText(
            f"{name} ({UNITS[name]})",
            value=texts.value.get(name, ""),
            on_value=set_text,
            continuous_update=True,
        )

    with solara.Card(f"Your decisions for quarter {briefing.quarter + 1} of {briefing.quarters}"):
        with solara.Columns([1, 1]):
            with solara.Column():
                for name in ("price", "experience", "selection", "efficiency"):
                    entry(name)
            with solara.Column():
                for name in ("marketing", "innovation", "payout"):
                    entry(name)
                if game.channel_names is not None and briefing.channels_open:
                    solara.SelectMultiple(
                        "channels (yearly review)",
                        values=chosen,
                        all_values=list(game.channel_names),
                    )
        for problem in problems.value:
            solara.Error(problem)
        with solara.Row():
            solara.Button("Play the quarter", on_click=play, color="primary")
            solara.Button("Undo the last quarter", on_click=undo, disabled=not game.log)
            solara.Button("Keep these decisions to the end", on_click=keep_to_the_end)
        solara.Markdown("\n".join(f"- **{f.name}** ({f.unit}): {f.meaning}" for f in FIELDS))


@solara.component
def EndView(game: Game):
    """Scorecard, ghost replay figure, and the button that writes the run folder."""
    runs = solara.use_memo(game.ghosts, [id(game)])
    table = solara.use_memo(lambda: ghost_table(game.result, runs, game.seat), [id(game)])
    saved = solara.use_reactive("")
    folder = solara.use_reactive(f"runs/play-{game.base.name}-{game.seat.replace(' ', '_')}")

    def save():
        out = save_game(game, Path(folder.value), runs=runs)
        saved.set(f"Written to `{out}/` (summary.md, decisions.yaml, scorecard.csv, figures/).")

    axes = solara.use_memo(lambda: plot_ghost_replay(game.result, runs, game.seat), [id(game)])
    with solara.Card("Game over"):
        solara.Markdown(scorecard_markdown(table, game.seat, game.scenario.seed).split("![")[0])
        solara.FigureMatplotlib(axes.flat[0].figure)
        solara.InputText("run folder", value=folder, continuous_update=True)
        solara.Button("Save the game as a run folder", on_click=save, color="primary")
        if saved.value:
            solara.Markdown(saved.value)


@solara.component
def Page():
    """One game per browser tab: setup, then briefing and decisions, then the scorecard."""
    game, set_game = solara.use_state(None)
    _, set_version = solara.use_state(0)

    def cleanup():
        return (lambda: game.abandon()) if game is not None else None

    solara.use_effect(cleanup, [game])

    def advanced():
        set_version(lambda v: v + 1)

    with solara.Column(style={"padding": "12px", "max-width": "1100px"}):
        if game is None:
            SetupCard(on_start=set_game)
            return
        if game.briefing is not None:
            solara.Markdown(f"```text\n{render_briefing(game.briefing)}\n```")
            DecisionForm(game, game.briefing, len(game.log), on_played=advanced)
        else:
            EndView(game)
        solara.Button("New game", on_click=lambda: set_game(None))


page = Page()
